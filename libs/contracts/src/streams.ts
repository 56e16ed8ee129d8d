/** The event streams of the Analytics Engine. Each stream type has its own Kafka topic. */
export const STREAM_TYPES = ['client-config', 'connector-profile', 'service-proposal'] as const;

export type StreamType = (typeof STREAM_TYPES)[number];

/** Contract topic name of a stream type: `analytics.<stream-type>.events`. */
export function eventTopicOf(streamType: string): string {
  return `analytics.${streamType}.events`;
}
