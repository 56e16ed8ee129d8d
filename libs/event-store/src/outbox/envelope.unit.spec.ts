import { cloudEventHeaders, toEnvelope } from './envelope';

const stored = {
  position: '42',
  eventId: '7f1d7f4e-4a43-4a3e-9c9e-2b1b3f0c0a01',
  streamType: 'connector-profile',
  streamId: 'c0ffee00-0000-4000-8000-000000000001',
  streamVersion: 3,
  type: 'connector-profile.renamed',
  schemaVersion: 1,
  data: { name: 'warehouse' },
  metadata: { correlationId: 'corr-1', causationId: 'cmd-9', actor: 'svc-a' },
  occurredAt: new Date('2026-11-25T10:00:00.000Z'),
};

describe('toEnvelope', () => {
  it('maps a stored event to the contract envelope, lifting correlation and causation ids', () => {
    expect(toEnvelope(stored)).toEqual({
      id: stored.eventId,
      type: 'connector-profile.renamed',
      schemaVersion: 1,
      streamType: 'connector-profile',
      streamId: stored.streamId,
      streamVersion: 3,
      position: '42',
      occurredAt: '2026-11-25T10:00:00.000Z',
      correlationId: 'corr-1',
      causationId: 'cmd-9',
      data: { name: 'warehouse' },
      metadata: { actor: 'svc-a' },
    });
  });

  it('names the subject, type and correlation id in CloudEvents headers', () => {
    expect(cloudEventHeaders(toEnvelope(stored), 'command-api')).toEqual({
      ce_id: stored.eventId,
      ce_type: 'connector-profile.renamed',
      ce_source: 'command-api',
      ce_specversion: '1.0',
      ce_time: '2026-11-25T10:00:00.000Z',
      ce_subject: `connector-profile/${stored.streamId}`,
      ce_correlationid: 'corr-1',
      'content-type': 'application/json',
    });
  });
});
