import { STREAM_TYPES } from '@analytics/contracts';
import { appendToStream, NewEvent } from '@analytics/event-store';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  collectEvents,
  createScratchDatabase,
  EventCollector,
  eventually,
  jsonOf,
  startApp,
} from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';

const renamed = (i: number): NewEvent => ({
  type: 'client-config.renamed',
  schemaVersion: 1,
  data: { displayName: `name ${i}` },
});

/**
 * The relay inside command-api, as a process, against the real Postgres and Kafka: it drains a
 * backlog, and kill -9 in the middle of publishing loses nothing and keeps per-stream order.
 * command-api runs on a database of its own (a relay publishes every pending row it finds).
 */
describe('outbox relay in command-api', () => {
  const topics = new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '');
  const topic = topics.eventsOf('client-config');
  const kafka = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let events: EventCollector;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase('relay_e2e');
    await runPendingMigrations(commandApiSchema, scratch.url);
    db = await new DataSource({ type: 'postgres', url: scratch.url, extra: { max: 10 } }).initialize();
    await ensureTopics(
      kafka,
      STREAM_TYPES.map((streamType) => topics.eventsOf(streamType)),
      6,
    );
    events = await collectEvents((process.env.KAFKA_BROKERS ?? '').split(','), topic);
  });

  afterAll(async () => {
    await app?.stop();
    await events?.stop();
    await db?.destroy();
    await scratch?.drop();
  });

  /** Appends `count` events to each stream, 10 per transaction; returns the committed event ids. */
  const appendTo = async (streams: string[], count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (const streamId of streams) {
      for (let version = 0; version < count; version += 10) {
        const events = Array.from({ length: 10 }, (_, i) => ({ ...renamed(version + i), eventId: randomUUID() }));
        await db.transaction((tx) =>
          appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion: version, events, topic }),
        );
        ids.push(...events.map((event) => event.eventId));
      }
    }
    return ids;
  };

  it('drains a backlog of 3,000 events (and reports the rate)', async () => {
    const streams = Array.from({ length: 100 }, () => randomUUID());
    const ids = await appendTo(streams, 30);

    const started = Date.now();
    app = await startApp('command-api', { DATABASE_URL: scratch.url });
    await eventually(async () => ids.every((id) => events.receivedIds.has(id)), 60_000, 50);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `outbox drain: ${ids.length} events in ${seconds.toFixed(2)} s (including app start) = ${Math.round(ids.length / seconds)} events/s`,
    );

    for (const streamId of streams)
      expect(events.firstSeenVersions(streamId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await app.stop();
    app = undefined;
  });

  it('publishes the events of a command at once when it commits, not at the next poll', async () => {
    app = await startApp('command-api', { DATABASE_URL: scratch.url, OUTBOX_POLL_INTERVAL_MS: '60000' });
    const publishedWithin = async (timeoutMs: number): Promise<number> => {
      const clientId = `relay-wake-${randomUUID()}`;
      const answer = await fetch(`${app!.baseUrl}/v1/client-configs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId, displayName: 'Wake-up', timezone: 'Europe/Paris', currency: 'EUR' }),
      });
      const answered = performance.now();
      expect(answer.status).toBe(201);
      const { id } = await jsonOf<{ id: string }>(answer);
      await eventually(async () => events.received.some((event) => event.streamId === id), timeoutMs, 5);
      return performance.now() - answered;
    };
    // The first one also connects the relay's producer.
    await publishedWithin(10_000);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(300 + Math.random() * 300); // the relay is idle, waiting
      delays.push(await publishedWithin(10_000));
    }
    console.log(`command answered -> on Kafka with a 60 s poll: ${delays.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    // The poll is 60 s: only the wake-up on commit explains this.
    expect(Math.max(...delays)).toBeLessThan(1_000);
    await app.stop();
    app = undefined;
  });

  it('loses nothing and keeps per-stream order across 5 kill -9 while publishing under load', async () => {
    const versions = new Map(Array.from({ length: 40 }, () => [randomUUID(), 0] as [string, number]));
    const streams = [...versions.keys()];
    const acknowledged: string[] = [];
    let loading = true;
    // Load: commits 10 events at a time, round robin over the streams, while the relay is killed.
    const load = (async () => {
      for (let round = 0; loading; round++) {
        const streamId = streams[round % streams.length];
        const expectedVersion = versions.get(streamId) as number;
        const events = Array.from({ length: 10 }, (_, i) => ({
          ...renamed(expectedVersion + i),
          eventId: randomUUID(),
        }));
        await db.transaction((tx) =>
          appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion, events, topic }),
        );
        versions.set(streamId, expectedVersion + 10);
        acknowledged.push(...events.map((event) => event.eventId));
        await sleep(10);
      }
    })();

    for (let kill = 0; kill < 5; kill++) {
      app = await startApp('command-api', { DATABASE_URL: scratch.url, OUTBOX_BATCH_SIZE: '50' });
      const before = events.received.length;
      // Kill it while it is publishing, not before it has started.
      await eventually(async () => events.received.length >= before + 100, 30_000, 10);
      await app.kill();
      app = undefined;
    }
    loading = false;
    await load;

    app = await startApp('command-api', { DATABASE_URL: scratch.url });
    await eventually(async () => acknowledged.every((id) => events.receivedIds.has(id)), 60_000, 250).catch((error) => {
      const missing = acknowledged.filter((id) => !events.receivedIds.has(id)).length;
      throw new Error(`${missing} of ${acknowledged.length} acknowledged events never reached Kafka: ${error}`);
    });
    const duplicates = events.received.length - events.receivedIds.size;
    console.log(`kill -9 x5: ${acknowledged.length} acknowledged, all published; ${duplicates} redelivered duplicates`);

    for (const [streamId, version] of versions) {
      expect(events.firstSeenVersions(streamId)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    }
  });
});
