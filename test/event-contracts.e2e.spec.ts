import { Parser } from '@asyncapi/parser';
import { STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  AsyncApiDocument,
  collectEvents,
  createScratchDatabase,
  EventCollector,
  eventSchemasOf,
  EventSchemas,
  eventually,
  jsonOf,
  startApp,
} from '@analytics/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { appendToStream } from '@analytics/event-store';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';

/**
 * The published contract, checked the way a downstream team would: the AsyncAPI document is valid
 * AsyncAPI, and every message command-api really publishes matches the JSON Schema of its type
 * and version, headers included.
 */
describe('event contracts', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  // Topics of its own: other tests publish test-only event types on the run's shared topics.
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}contracts.`;
  const topics = new TopicNames(prefix);
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let app: AppProcess;
  let collectors: EventCollector[] = [];
  let schemas: EventSchemas;
  let document: AsyncApiDocument;

  beforeAll(async () => {
    scratch = await createScratchDatabase('event_contracts');
    await runPendingMigrations(commandApiSchema, scratch.url);
    const eventTopics = STREAM_TYPES.map((type) => topics.eventsOf(type));
    await ensureTopics(new Kafka({ brokers, logLevel: logLevel.NOTHING }), eventTopics, 6);
    collectors = await Promise.all(eventTopics.map((topic) => collectEvents(brokers, topic)));
    app = await startApp('command-api', { DATABASE_URL: scratch.url, KAFKA_TOPIC_PREFIX: prefix });
    schemas = await eventSchemasOf(app.baseUrl);
    document = schemas.document;
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all(collectors.map((collector) => collector.stop()));
    await scratch?.drop();
  });

  it('serves a valid AsyncAPI 3.0 document naming every stream topic', async () => {
    const { diagnostics } = await new Parser().parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(Object.values(document.channels).map((channel) => channel.address)).toEqual(
      STREAM_TYPES.map((type) => topics.eventsOf(type)),
    );
  });

  it('describes every message command-api publishes: payload and headers match the schemas', async () => {
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${app.baseUrl}/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      return jsonOf<{ id: string }>(response);
    };
    const { id } = await send('POST', '/client-configs', {
      clientId: `contracts-${Date.now()}`,
      displayName: 'Contracts',
      timezone: 'UTC',
      currency: 'USD',
      settings: { nested: { a: [1, 2] } },
      featureFlags: { beta: true },
    });
    await send('PATCH', `/client-configs/${id}`, { settings: { nested: null, b: 'x' } });
    await send('PUT', `/client-configs/${id}/feature-flags/beta`, { enabled: false });
    await send('POST', `/client-configs/${id}/archive`);
    const expectedTypes = new Set([
      'client-config.created',
      'client-config.settings-changed',
      'client-config.feature-flag-set',
      'client-config.archived',
    ]);

    const messages = () => collectors.flatMap((collector) => collector.messages);
    await eventually(async () => messages().filter((m) => m.key === id).length >= expectedTypes.size, 20_000);

    const problems = messages().flatMap((message) => schemas.problemsOf(message));
    expect(problems).toEqual([]);
    expect(
      new Set(
        messages()
          .filter((m) => m.key === id)
          .map((m) => (m.value as { type: string }).type),
      ),
    ).toEqual(expectedTypes);
  });

  it('reads a stream written with an old schema version through the upcasters', async () => {
    // A client created before feature flags existed: client-config.created v1 has no featureFlags.
    const id = randomUUID();
    const db = new DataSource({ type: 'postgres', url: scratch.url });
    await db.initialize();
    try {
      await db.transaction((tx) =>
        appendToStream(tx, {
          streamType: 'client-config',
          streamId: id,
          expectedVersion: 0,
          events: [
            {
              type: 'client-config.created',
              schemaVersion: 1,
              data: {
                clientId: `legacy-${Date.now()}`,
                displayName: 'Legacy',
                timezone: 'UTC',
                currency: 'EUR',
                settings: {},
              },
            },
          ],
          topic: topics.eventsOf('client-config'),
        }),
      );

      const response = await fetch(`${app.baseUrl}/v1/client-configs/${id}/feature-flags/beta`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'if-match': '"1"' },
        body: JSON.stringify({ enabled: true }),
      });
      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ id, version: 2 });
      const [row] = await db.query(`SELECT feature_flags, version FROM client_configs WHERE id = $1`, [id]);
      expect(row).toEqual({ feature_flags: { beta: true }, version: 2 });
    } finally {
      await db.destroy();
    }
  });
});
