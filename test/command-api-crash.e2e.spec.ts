import { STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  collectEvents,
  createScratchDatabase,
  EventCollector,
  eventually,
  startApp,
} from '@analytics/testing';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { COMMAND_ENDPOINTS, CommandEndpoint, FIXTURE_CLIENTS, WRITE_MODELS } from './command-endpoints';

const KILLS = 10;
const CONCURRENCY = 8;
/** Acknowledged commands each app process must answer before it is killed (or the test stops). */
const ACKS_PER_LIFE = 15;

interface Accepted {
  id: string;
  version: number;
  position: string;
}

/** A command as sent: repeated as is (same Idempotency-Key) when its outcome was unknown. */
interface Command {
  endpoint: CommandEndpoint;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

/** How often each command endpoint is picked by the load (creates also seed the streams). */
const WEIGHTS: Record<string, number> = {
  'create client config': 3,
  'change client config settings': 3,
  'set client feature flag': 3,
  'archive client config': 0.2,
  // Registrations and updates carry secrets (sealed in the command) half of the time.
  'register connector profile': 3,
  'update connector profile': 4,
  'disable connector profile': 0.5,
  'enable connector profile': 0.5,
  'archive connector profile': 0.2,
  'draft service proposal': 3,
  'revise service proposal': 1,
  'submit service proposal': 2,
  // On a proposal that is not (or no longer) submitted: 409.
  'accept service proposal': 0.5,
  'reject service proposal': 0.5,
  'withdraw service proposal': 0.3,
};

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const sampleOf = <T>(arbitrary: fc.Arbitrary<T>): T => fc.sample(arbitrary, 1)[0];

/**
 * kill -9 of command-api, 10 times, under a steady HTTP load of commands: every acknowledged
 * command is in the event store and on Kafka (per stream in order, at least once), and no crash
 * leaves a partial command behind (event without outbox entry, write-model row out of step with
 * its stream, unfinished idempotency claim).
 */
describe('command-api killed with -9 under load', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topics = new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '');
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: Client;
  let collectors: EventCollector[] = [];
  let app: AppProcess | undefined;

  beforeAll(async () => {
    scratch = await createScratchDatabase('crash');
    await runPendingMigrations(commandApiSchema, scratch.url);
    await ensureTopics(
      new Kafka({ brokers, logLevel: logLevel.NOTHING }),
      STREAM_TYPES.map((type) => topics.eventsOf(type)),
      6,
    );
    const streamTypes = [...new Set(COMMAND_ENDPOINTS.map((endpoint) => endpoint.streamType))];
    collectors = await Promise.all(streamTypes.map((type) => collectEvents(brokers, topics.eventsOf(type))));
    db = new Client({ connectionString: scratch.url });
    await db.connect();
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all(collectors.map((collector) => collector.stop()));
    await db?.end();
    await scratch?.drop();
  });

  it(`loses no acknowledged command and leaves no partial one across ${KILLS} kill -9`, async () => {
    /** Streams made by acknowledged creates, by stream type, with the last version acknowledged. */
    const streams = new Map<string, Map<string, number>>();
    const acknowledged: (Accepted & { life: number })[] = [];
    const unknown: Command[] = [];
    const refused = new Map<number, number>();
    const acksByEndpoint = new Map<string, number>();
    const acksPerLife: number[] = [0];
    let life = 0;
    let loading = true;

    const nextCommand = (): Command | undefined => {
      const choices = COMMAND_ENDPOINTS.filter(
        (endpoint) => endpoint.creates || (streams.get(endpoint.streamType)?.size ?? 0) > 0,
      );
      const total = choices.reduce((sum, endpoint) => sum + WEIGHTS[endpoint.name], 0);
      let roll = Math.random() * total;
      const endpoint = choices.find((choice) => (roll -= WEIGHTS[choice.name]) < 0) ?? choices[0];
      const known = streams.get(endpoint.streamType) ?? new Map<string, number>();
      const id = endpoint.creates ? '' : pick([...known.keys()]);
      const params = sampleOf(fc.record(endpoint.params));
      const headers: Record<string, string> = {};
      if (endpoint.body) headers['content-type'] = 'application/json';
      if (Math.random() < 0.3) headers['idempotency-key'] = randomUUID();
      // Half the updates say which version they expect (and may lose the race: 409).
      if (!endpoint.creates && Math.random() < 0.5) headers['if-match'] = `"${known.get(id)}"`;
      return {
        endpoint,
        path: endpoint.path(id, params),
        // Creates make streams that every command of their type fits (e.g. database connectors).
        body: endpoint.body ? JSON.stringify(sampleOf(endpoint.fixtureBody ?? endpoint.body)) : undefined,
        headers,
      };
    };

    /** Sends a command to the app that runs now; undefined when the outcome is unknown. */
    const send = async (command: Command, target: AppProcess): Promise<Response | undefined> => {
      try {
        return await fetch(`${target.baseUrl}${command.path}`, {
          method: command.endpoint.method,
          headers: command.headers,
          body: command.body,
          signal: AbortSignal.timeout(15_000),
        });
      } catch {
        return undefined; // connection refused, reset, or no answer: it may or may not have committed
      }
    };

    const record = async (command: Command, response: Response, inLife: number) => {
      if (response.status >= 200 && response.status < 300) {
        const accepted = (await response.json()) as Accepted;
        acknowledged.push({ ...accepted, life: inLife });
        acksByEndpoint.set(command.endpoint.name, (acksByEndpoint.get(command.endpoint.name) ?? 0) + 1);
        acksPerLife[inLife] = (acksPerLife[inLife] ?? 0) + 1;
        const known = streams.get(command.endpoint.streamType) ?? new Map<string, number>();
        streams.set(command.endpoint.streamType, known.set(accepted.id, accepted.version));
      } else {
        await response.arrayBuffer();
        refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
      }
    };

    const worker = async () => {
      while (loading) {
        const target = app;
        if (!target) {
          await sleep(20);
          continue;
        }
        const command = nextCommand();
        if (!command) continue;
        const inLife = life;
        const response = await send(command, target);
        if (response) await record(command, response, inLife);
        else unknown.push(command);
      }
    };

    app = await startApp('command-api', { DATABASE_URL: scratch.url });
    // The clients that connector profiles and proposals name (never archived by the load).
    for (const client of FIXTURE_CLIENTS) {
      const created = await fetch(`${app.baseUrl}/v1/client-configs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(client),
      });
      expect(created.status).toBe(201);
    }
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    try {
      for (let kill = 1; kill <= KILLS; kill++) {
        const current = life;
        await eventually(async () => (acksPerLife[current] ?? 0) >= ACKS_PER_LIFE, 30_000, 10).catch(() => {
          throw new Error(`app life ${current} acknowledged ${acksPerLife[current] ?? 0} commands in 30 s`);
        });
        await sleep(Math.random() * 700);
        const victim = app as AppProcess;
        app = undefined;
        await victim.kill();
        life++;
        acksPerLife[life] = 0;
        app = await startApp('command-api', { DATABASE_URL: scratch.url });
      }
      const last = life;
      await eventually(async () => (acksPerLife[last] ?? 0) >= ACKS_PER_LIFE, 30_000, 10);
    } finally {
      loading = false;
      await load;
    }

    // Commands whose outcome was unknown and that carried an Idempotency-Key: asking again answers
    // with the stored outcome if the command had committed, or runs it now.
    let resolved = 0;
    for (const command of unknown.filter((c) => c.headers['idempotency-key'])) {
      const response = await send(command, app as AppProcess);
      expect(response).toBeDefined();
      expect((response as Response).status).toBeLessThan(500);
      if ((response as Response).ok) resolved++;
      await record(command, response as Response, life);
    }

    // The relay has published everything.
    await eventually(
      async () => (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n === 0,
      60_000,
    );
    const { rows: events } = await db.query<{ event_id: string; stream_type: string; stream_id: string; v: number }>(
      `SELECT event_id, stream_type, stream_id, stream_version AS v FROM events ORDER BY position`,
    );
    const received = () => collectors.flatMap((collector) => collector.received);
    const receivedIds = () => new Set(received().map((envelope) => envelope.id));
    await eventually(async () => events.every((event) => receivedIds().has(event.event_id)), 60_000).catch(() => {
      const missing = events.filter((event) => !receivedIds().has(event.event_id)).length;
      throw new Error(`${missing} of ${events.length} committed events never reached Kafka`);
    });

    const duplicates = received().length - receivedIds().size;
    const eventsByType: Record<string, number> = {};
    for (const event of events) eventsByType[event.stream_type] = (eventsByType[event.stream_type] ?? 0) + 1;
    const { rows: sealed } = await db.query(
      `SELECT count(*)::int AS n FROM connector_profiles WHERE encrypted_secrets IS NOT NULL`,
    );
    const summary = {
      acknowledged: acknowledged.length,
      unknownOutcome: unknown.length,
      resolvedByIdempotencyKey: resolved,
      refused: Object.fromEntries(refused),
      acksPerLife,
      acksByEndpoint: Object.fromEntries(acksByEndpoint),
      events: events.length,
      eventsByType,
      profilesWithSecrets: sealed[0].n,
      published: received().length,
      duplicates,
    };
    console.log(`command-api kill -9 x${KILLS}: ${JSON.stringify(summary)}`);

    // Every process acknowledged commands before it was killed; some requests were cut off.
    expect(acksPerLife).toHaveLength(KILLS + 1);
    for (const count of acksPerLife) expect(count).toBeGreaterThanOrEqual(ACKS_PER_LIFE);
    expect(unknown.length).toBeGreaterThan(0);
    // The load only sends valid commands: the one refusal is a conflict (stale If-Match, archived).
    expect([...refused.keys()].filter((status) => status !== 409)).toEqual([]);

    // (a) Every acknowledged command is stored, at the version it was acknowledged with, and published.
    const stored = new Set(events.map((event) => `${event.stream_id}@${event.v}`));
    const lost = acknowledged.filter((accepted) => !stored.has(`${accepted.id}@${accepted.version}`));
    expect(lost).toEqual([]);
    const maxVersion = new Map<string, { type: string; version: number }>();
    for (const event of events) maxVersion.set(event.stream_id, { type: event.stream_type, version: event.v });
    for (const [streamId, { version }] of maxVersion) {
      const seen = collectors.flatMap((collector) => collector.firstSeenVersions(streamId));
      expect({ streamId, seen }).toEqual({ streamId, seen: Array.from({ length: version }, (_, i) => i + 1) });
    }

    // (b) No partial command: each event has its outbox entry and each entry its event ...
    const { rows: orphans } = await db.query(
      `SELECT (SELECT count(*)::int FROM events e WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_position = e.position)) AS events_without_outbox,
              (SELECT count(*)::int FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.position = o.event_position)) AS outbox_without_event,
              (SELECT count(*)::int FROM idempotency_records WHERE response_status = 0) AS unfinished_idempotency_claims`,
    );
    expect(orphans[0]).toEqual({ events_without_outbox: 0, outbox_without_event: 0, unfinished_idempotency_claims: 0 });
    // ... each stream its write-model row at the stream's version, and no row without a stream.
    const streamTypes = new Set(events.map((event) => event.stream_type));
    for (const streamType of streamTypes) {
      const table = WRITE_MODELS[streamType];
      expect({ streamType, table }).toEqual({ streamType, table: expect.any(String) });
      const { rows: mismatches } = await db.query(
        `SELECT s.stream_id, s.version AS stream_version, w.id AS row_id, w.version AS row_version
           FROM (SELECT stream_id, max(stream_version) AS version FROM events WHERE stream_type = $1 GROUP BY stream_id) s
           FULL OUTER JOIN ${table} w ON w.id::text = s.stream_id
          WHERE s.version IS DISTINCT FROM w.version`,
        [streamType],
      );
      expect({ table, mismatches }).toEqual({ table, mismatches: [] });
    }
    // The load reached every stream type and acknowledged every frequent command; secrets were sealed.
    for (const [name, weight] of Object.entries(WEIGHTS)) {
      if (weight >= 2) expect({ name, acked: (acksByEndpoint.get(name) ?? 0) > 0 }).toEqual({ name, acked: true });
    }
    expect([...streamTypes].sort()).toEqual(Object.keys(WRITE_MODELS).sort());
    expect(sealed[0].n).toBeGreaterThan(0);
  });
});
