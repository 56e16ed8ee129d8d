import { parseJson } from '@analytics/json';
import { EventEnvelope } from '@analytics/contracts';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** One Kafka message as a downstream consumer gets it. */
export interface CollectedMessage {
  key: string | null;
  headers: Record<string, string>;
  /** The raw value, parsed as JSON. */
  value: unknown;
}

/** A downstream consumer of its own group that records every envelope it sees, duplicates included. */
export interface EventCollector {
  received: EventEnvelope[];
  /** The same messages with their key and headers. */
  messages: CollectedMessage[];
  receivedIds: Set<string>;
  /** Per stream, the versions in the order first seen: 1..n means no gap and no swap. */
  firstSeenVersions(streamId: string): number[];
  stop(): Promise<void>;
}

export async function collectEvents(brokers: string[], topic: string): Promise<EventCollector> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `collector-${randomUUID()}` });
  const received: EventEnvelope[] = [];
  const messages: CollectedMessage[] = [];
  const receivedIds = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const envelope = parseJson(message.value?.toString() ?? 'null') as EventEnvelope;
        received.push(envelope);
        messages.push({
          key: message.key?.toString() ?? null,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
          value: envelope,
        });
        receivedIds.add(envelope.id);
      }
    },
  });
  return {
    received,
    messages,
    receivedIds,
    firstSeenVersions: (streamId) => {
      const seen = new Set<number>();
      for (const envelope of received) if (envelope.streamId === streamId) seen.add(envelope.streamVersion);
      return [...seen];
    },
    stop: () => consumer.disconnect(),
  };
}
