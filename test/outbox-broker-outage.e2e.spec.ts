import { STREAM_TYPES } from '@analytics/contracts';
import { appendToStream } from '@analytics/event-store';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  collectEvents,
  createScratchDatabase,
  EventCollector,
  eventually,
  freePort,
  startApp,
} from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { startKafka, stopKafka } from '../tools/kafka/kafka-broker';

const OUTAGE_MS = 60_000;

/**
 * With the broker stopped for 60 s, writes keep committing, command-api keeps running (no crash
 * loop), and once the broker is back every committed event is published, in stream order.
 * Runs its own broker and database so the outage disturbs no other test.
 */
describe('outbox relay through a 60 s Kafka outage', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'analytics-relay-outage-'));
  const topic = new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '').eventsOf('client-config');
  const silent = () => undefined;
  let ports: { port: number; controllerPort: number };
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let app: AppProcess;
  let events: EventCollector;

  beforeAll(async () => {
    ports = { port: await freePort(), controllerPort: await freePort() };
    await startKafka({ ...ports, stateDir, log: silent });
    const brokers = [`127.0.0.1:${ports.port}`];
    await ensureTopics(
      new Kafka({ brokers, logLevel: logLevel.NOTHING }),
      STREAM_TYPES.map((streamType) => new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '').eventsOf(streamType)),
      6,
    );
    scratch = await createScratchDatabase('relay_outage');
    await runPendingMigrations(commandApiSchema, scratch.url);
    db = await new DataSource({ type: 'postgres', url: scratch.url }).initialize();
    events = await collectEvents(brokers, topic);
    app = await startApp('command-api', { DATABASE_URL: scratch.url, KAFKA_BROKERS: brokers.join(',') });
  });

  afterAll(async () => {
    await app?.stop();
    await events?.stop();
    await db?.destroy();
    await scratch?.drop();
    await stopKafka(stateDir, silent);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('publishes everything committed during the outage once the broker is back', async () => {
    const versions = new Map<string, number>(Array.from({ length: 10 }, () => [randomUUID(), 0]));
    const acknowledged: string[] = [];
    const commit = async (streamId: string) => {
      const expectedVersion = versions.get(streamId) as number;
      const batch = Array.from({ length: 10 }, (_, i) => ({
        type: 'client-config.renamed',
        schemaVersion: 1,
        data: { displayName: `v${expectedVersion + i + 1}` },
        eventId: randomUUID(),
      }));
      await db.transaction((tx) =>
        appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion, events: batch, topic }),
      );
      versions.set(streamId, expectedVersion + 10);
      acknowledged.push(...batch.map((event) => event.eventId));
    };
    const allPublished = () => eventually(async () => acknowledged.every((id) => events.receivedIds.has(id)), 60_000);

    for (const streamId of versions.keys()) await commit(streamId);
    await allPublished();

    await stopKafka(stateDir, silent);
    const streams = [...versions.keys()];
    const outageEnds = Date.now() + OUTAGE_MS;
    for (let i = 0; Date.now() < outageEnds; i++) {
      await commit(streams[i % streams.length]);
      await sleep(1_000);
    }
    expect((await fetch(`${app.baseUrl}/health/live`)).status).toBe(200);
    const backlogDuringOutage = acknowledged.filter((id) => !events.receivedIds.has(id)).length;
    expect(backlogDuringOutage).toBeGreaterThan(0);

    await startKafka({ ...ports, stateDir, log: silent });
    await allPublished();

    for (const [streamId, version] of versions) {
      expect(events.firstSeenVersions(streamId)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    }
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/outbox_publish_failures_total\{app="command-api"\} [1-9]/);
    await eventually(
      async () =>
        /outbox_backlog_events\{app="command-api"\} 0\b/.test(await (await fetch(`${app.baseUrl}/metrics`)).text()),
      10_000,
    );
  });
});
