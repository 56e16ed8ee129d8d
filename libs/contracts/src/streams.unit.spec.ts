import { eventTopicOf, STREAM_TYPES } from './streams';

describe('event topics', () => {
  it('follow analytics.<stream-type>.events for every stream', () => {
    expect(STREAM_TYPES.map(eventTopicOf)).toEqual([
      'analytics.client-config.events',
      'analytics.connector-profile.events',
      'analytics.service-proposal.events',
    ]);
  });
});
