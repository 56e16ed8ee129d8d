/**
 * The event history the read-side figures replay: written into a command-api event store by the
 * read-side e2e tests' own `writeHistory` (per client: a client config with 3 events, 10 connector
 * profiles with 3 each, 10 service proposals with 4 each: 73 events over 21 streams), then, when
 * a figure needs it on Kafka, published exactly as the outbox relay would.
 */
import { cloudEventHeaders, toEnvelope, toRecordedEvent } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Kafka, logLevel, Message } from 'kafkajs';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { writeHistory } from '../../../test/read-side-fixtures';
import { migrateCommandApi } from './command-api';
import { BenchContext } from './context';

/** The relay's batch size and producer settings (apps/command-api/src/outbox/outbox-relay.service.ts). */
const PUBLISH_BATCH = 500;

export interface EventHistory {
  database: { name: string; url: string };
  /** Events written. */
  events: number;
}

/**
 * Creates `bench_<runid>_<label>`, migrates it as command-api's write database and writes about
 * `target` events into its event store (outbox rows for `topics`, unpublished).
 */
export async function writeEventHistory(
  ctx: BenchContext,
  label: string,
  topics: TopicNames,
  target: number,
): Promise<EventHistory> {
  const database = await ctx.createDatabase(label);
  migrateCommandApi(database.url);
  const db = await new DataSource({ type: 'postgres', url: database.url, extra: { max: 16 } }).initialize();
  try {
    const events = await writeHistory(db, topics, target, `bench-${ctx.runId}`);
    return { database, events };
  } finally {
    await db.destroy();
  }
}

/**
 * Publishes every outbox row of `databaseUrl` as the relay does (the envelope as value, CloudEvents
 * headers, the stream id as key, to the row's topic) in outbox order, creating the topics with
 * `partitions` first, then marks the rows published (a command-api started on this database then
 * has nothing to relay). Returns how many messages it sent.
 */
export async function publishHistory(ctx: BenchContext, databaseUrl: string, partitions: number): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const kafka = new Kafka({ clientId: `bench-${ctx.runId}`, brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3 } });
  try {
    const { rows } = await pool.query(
      `SELECT o.topic, o.message_key, e.position::text AS position, e.event_id, e.stream_type, e.stream_id,
              e.stream_version, e.event_type, e.schema_version, e.data, e.metadata, e.occurred_at
         FROM outbox o JOIN events e ON e.position = o.event_position ORDER BY o.id`,
    );
    const byTopic = new Map<string, Message[]>();
    for (const row of rows as Record<string, unknown>[]) {
      const envelope = toEnvelope(toRecordedEvent(row));
      const messages = byTopic.get(row.topic as string) ?? [];
      messages.push({
        key: row.message_key as string,
        value: JSON.stringify(envelope),
        headers: cloudEventHeaders(envelope, 'command-api'),
      });
      byTopic.set(row.topic as string, messages);
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [...byTopic.keys()].filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          topics: missing.map((topic) => ({ topic, numPartitions: partitions })),
          waitForLeaders: true,
        });
      }
    } finally {
      await admin.disconnect();
    }
    await producer.connect();
    for (const [topic, messages] of byTopic) {
      for (let i = 0; i < messages.length; i += PUBLISH_BATCH) {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [{ topic, messages: messages.slice(i, i + PUBLISH_BATCH) }],
        });
      }
    }
    await pool.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    return rows.length;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await pool.end();
  }
}
