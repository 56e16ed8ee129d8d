import { STREAM_TYPES } from '@analytics/contracts';
import { TopicNames } from '@analytics/messaging';
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
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';

const SMALL_TOPIC_LIMIT = 16_384;

/**
 * An event too large for its topic: the relay parks it with a reason and raises the alert metric;
 * other streams keep flowing; the parked stream's later events wait behind it, in order, until an
 * operator fixes the topic and retries.
 */
describe('outbox relay parking an event Kafka refuses', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}parking.`;
  const topics = new TopicNames(prefix);
  const topic = topics.eventsOf('client-config');
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let events: EventCollector;
  let app: AppProcess;

  beforeAll(async () => {
    scratch = await createScratchDatabase('outbox_parking');
    await runPendingMigrations(commandApiSchema, scratch.url);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: STREAM_TYPES.map((type) => ({
        topic: topics.eventsOf(type),
        numPartitions: 3,
        configEntries:
          type === 'client-config' ? [{ name: 'max.message.bytes', value: String(SMALL_TOPIC_LIMIT) }] : [],
      })),
    });
    await admin.disconnect();
    events = await collectEvents(brokers, topic);
    app = await startApp('command-api', { DATABASE_URL: scratch.url, KAFKA_TOPIC_PREFIX: prefix });
  });

  afterAll(async () => {
    await app?.stop();
    await events?.stop();
    await scratch?.drop();
  });

  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.baseUrl}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return jsonOf<{ id: string }>(response);
  };
  const createClient = (settings: Record<string, unknown> = {}) =>
    send('POST', '/client-configs', {
      clientId: `parking-${randomUUID().slice(0, 8)}`,
      displayName: 'Parking',
      timezone: 'UTC',
      currency: 'EUR',
      settings,
    });
  const parkedMetric = async () =>
    Number(
      /^outbox_parked_events(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`${app.baseUrl}/metrics`)).text())?.[1],
    );

  it('parks the oversized event, keeps other streams flowing, holds the stream behind it, then recovers', async () => {
    const before = await createClient();
    const big = await createClient({ blob: 'x'.repeat(40_000) });
    await send('PATCH', `/client-configs/${big.id}`, { settings: { more: 1 } });
    await send('POST', `/client-configs/${big.id}/archive`);
    const after = await createClient();

    await eventually(async () => events.receivedIds.size >= 2 && (await parkedMetric()) === 1, 20_000);
    await sleep(1_000); // time enough for the relay to (wrongly) publish the parked stream's later events
    const published = (streamId: string) => events.firstSeenVersions(streamId);
    expect(published(before.id)).toEqual([1]);
    expect(published(after.id)).toEqual([1]);
    expect(published(big.id)).toEqual([]);

    const { parked } = await jsonOf<{ parked: { outboxId: string; streamId: string; type: string; reason: string }[] }>(
      await fetch(`${app.baseUrl}/v1/admin/outbox/parked`),
    );
    expect(parked).toEqual([
      expect.objectContaining({
        streamId: big.id,
        type: 'client-config.created',
        reason: expect.stringMatching(/too large/),
      }),
    ]);
    expect(app.output()).toMatch(/parked; stream .* waits behind it/);

    // The operator raises the topic's limit and retries: the stream follows, in order.
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: '1048588' }],
        },
      ],
    });
    await admin.disconnect();
    const retried = await fetch(`${app.baseUrl}/v1/admin/outbox/parked/${parked[0].outboxId}/retry`, {
      method: 'POST',
    });
    expect(retried.status).toBe(202);
    expect(
      (await fetch(`${app.baseUrl}/v1/admin/outbox/parked/${parked[0].outboxId}/retry`, { method: 'POST' })).status,
    ).toBe(404);

    await eventually(async () => published(big.id).length === 3, 20_000);
    expect(published(big.id)).toEqual([1, 2, 3]);
    expect(await parkedMetric()).toBe(0);
  });
});
