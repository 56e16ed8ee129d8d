/**
 * Outbox relay: events/s that command-api's relay publishes to Kafka while it drains a backlog.
 *
 * Ours: N events are appended (appendToStream, 10 per stream) before command-api starts; its relay
 * drains them once as a warm-up. Each round then marks the whole outbox unpublished again in one
 * transaction and times from that commit until no row is pending (polled every 20 ms): the relay
 * reads the rows with their events, builds envelopes and CloudEvents headers, sends them with
 * `sendBatch` (idempotent producer, acks = all, batches of OUTBOX_BATCH_SIZE = 500) and marks them
 * published, batch after batch.
 * Baseline: the same messages (identical envelopes, headers and keys, read once from the outbox)
 * sent by raw kafkajs `sendBatch` in the same batches with the same producer settings, to a topic
 * with the same partition count: what Kafka alone costs, with no database in the loop.
 */
import { appendToStream, cloudEventHeaders, toEnvelope, toRecordedEvent } from '@analytics/event-store';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CompressionTypes, Kafka, logLevel, Message, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { Figure, SideResult } from '../figure';
import { BenchContext } from '../lib/context';
import { migrateCommandApi, RunningApp, startCommandApi } from '../lib/command-api';
import {
  CpuMeter,
  CpuProbe,
  listeningPid,
  pidProbe,
  postgresBackendsProbe,
  postgresClusterProbe,
  selfProbe,
} from '../lib/cpu';
import { createdEventData, eventMetadata, SETTINGS } from '../lib/payloads';

const EVENTS_PER_STREAM = 10;
/** command-api's defaults (OUTBOX_BATCH_SIZE, KAFKA_TOPIC_PARTITIONS), used by the baseline too. */
const BATCH_SIZE = 500;
const PARTITIONS = 6;

export class OutboxRelayFigure implements Figure {
  readonly name = 'outbox relay';
  readonly description = {
    ours: "command-api's relay draining a pre-filled outbox to Kafka (time from reset to backlog 0)",
    baseline: 'raw kafkajs sendBatch of the same messages, same batches, idempotent producer, acks=-1',
  };
  readonly metrics = [
    { key: 'relay', label: 'outbox relay', unit: 'events/s', better: 'higher', floor: 0.5, goal: 0.8 } as const,
  ];

  private db = { url: '', name: '' };
  private pool?: Pool;
  private app?: RunningApp;
  private producer?: Producer;
  private batches: Message[][] = [];
  private baselineTopic = '';
  private cluster?: CpuProbe;
  private broker?: CpuProbe;
  private warmupMs = 0;

  async prepare(ctx: BenchContext): Promise<void> {
    const total = ctx.options.relayEvents;
    this.db = await ctx.createDatabase('relay');
    migrateCommandApi(this.db.url);
    this.pool = new Pool({ connectionString: this.db.url, max: 4 });
    const pool = this.pool;
    const db = { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows };
    const topic = `${ctx.topicPrefix}analytics.client-config.events`;
    ctx.progress(`outbox relay: appending ${total} events (${EVENTS_PER_STREAM} per stream)`);
    const streams = Math.ceil(total / EVENTS_PER_STREAM);
    let next = 0;
    const filler = async () => {
      while (next < streams) {
        const index = next++;
        const streamId = randomUUID();
        const count = Math.min(EVENTS_PER_STREAM, total - index * EVENTS_PER_STREAM);
        const metadata = eventMetadata(randomUUID(), `bench-${ctx.runId}-${index}`);
        await appendToStream(db, {
          streamType: 'client-config',
          streamId,
          expectedVersion: 0,
          topic,
          events: Array.from({ length: count }, (_, i) =>
            i === 0
              ? { type: 'client-config.created', schemaVersion: 2, data: createdEventData(`c-${index}`), metadata }
              : {
                  type: 'client-config.settings-changed',
                  schemaVersion: 1,
                  data: { patch: { refreshSeconds: i }, settings: { ...SETTINGS, refreshSeconds: i } },
                  metadata,
                },
          ),
        });
      }
    };
    await Promise.all(Array.from({ length: 4 }, filler));

    // The baseline's messages: exactly what the relay builds from these rows.
    const { rows } = await pool.query(
      `SELECT o.message_key, e.position::text AS position, e.event_id, e.stream_type, e.stream_id, e.stream_version,
              e.event_type, e.schema_version, e.data, e.metadata, e.occurred_at
         FROM outbox o JOIN events e ON e.position = o.event_position ORDER BY o.id`,
    );
    const messages: Message[] = rows.map((row: Record<string, unknown>) => {
      const envelope = toEnvelope(toRecordedEvent(row));
      return {
        key: row.message_key as string,
        value: JSON.stringify(envelope),
        headers: cloudEventHeaders(envelope, 'command-api'),
      };
    });
    for (let i = 0; i < messages.length; i += BATCH_SIZE) this.batches.push(messages.slice(i, i + BATCH_SIZE));
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value as string), 0);
    ctx.progress(
      `outbox relay: ${messages.length} messages, ${Math.round(bytes / messages.length)} bytes of value on average`,
    );

    const kafka = new Kafka({ clientId: `bench-${ctx.runId}`, brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING });
    this.baselineTopic = `${ctx.topicPrefix}baseline.relay`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: this.baselineTopic, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    // The relay's producer settings (apps/command-api/src/outbox/outbox-relay.service.ts).
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3 } });
    await this.producer.connect();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic: this.baselineTopic, messages: this.batches[0] }],
    });

    this.cluster = await postgresClusterProbe(ctx.databaseUrl('postgres'));
    const brokerPid = listeningPid(ctx.kafkaBrokers[0]);
    if (brokerPid) this.broker = pidProbe('kafka broker (shared)', brokerPid);

    const started = performance.now();
    this.app = await startCommandApi(ctx, 'relay', this.db.url, {
      OUTBOX_BATCH_SIZE: String(BATCH_SIZE),
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    });
    ctx.onCleanup(() => this.app!.stop());
    await this.waitForDrain();
    this.warmupMs = performance.now() - started;
    ctx.progress(`outbox relay: command-api started and drained the backlog once in ${Math.round(this.warmupMs)} ms`);
  }

  async runOurs(ctx: BenchContext): Promise<SideResult> {
    const pool = this.pool!;
    await pool.query(`VACUUM ANALYZE outbox`);
    const meter = new CpuMeter([
      pidProbe('command-api', this.app!.pid),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.db.name),
      ...(this.cluster ? [this.cluster] : []),
      ...(this.broker ? [this.broker] : []),
    ]);
    await meter.start();
    const { rowCount } = await pool.query(`UPDATE outbox SET published_at = NULL, attempts = 0`);
    const started = performance.now();
    await this.waitForDrain();
    const elapsed = performance.now() - started;
    const events = rowCount ?? 0;
    const cpu = await meter.stop(events);
    return { relay: { value: (events * 1000) / elapsed, operations: events, cpu } };
  }

  async runBaseline(): Promise<SideResult> {
    const producer = this.producer!;
    const meter = new CpuMeter([selfProbe('bench process (kafkajs)'), ...(this.broker ? [this.broker] : [])]);
    await meter.start();
    const started = performance.now();
    let events = 0;
    for (const messages of this.batches) {
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [{ topic: this.baselineTopic, messages }],
      });
      events += messages.length;
    }
    const elapsed = performance.now() - started;
    const cpu = await meter.stop(events);
    return { relay: { value: (events * 1000) / elapsed, operations: events, cpu } };
  }

  async teardown(): Promise<void> {
    await this.app?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.pool?.end();
  }

  notes(): string[] {
    return [
      `outbox relay: batches of ${BATCH_SIZE}, ${PARTITIONS} partitions; the relay's first drain after start (warm-up, not counted) took ${Math.round(this.warmupMs)} ms`,
      'outbox relay: the idle relay finds the reset rows at its next poll (OUTBOX_POLL_INTERVAL_MS, 100 ms), which is in the time; the Kafka broker runs on this machine, on the cores the relay and Postgres use',
    ];
  }

  private async waitForDrain(): Promise<void> {
    const deadline = performance.now() + 600_000;
    while (performance.now() < deadline) {
      const { rows } = await this.pool!.query(
        `SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL) AS pending`,
      );
      if (!rows[0].pending) return;
      await sleep(20);
    }
    throw new Error('the relay did not drain the outbox within 10 minutes');
  }
}
