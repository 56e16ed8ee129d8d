import { STREAM_TYPES } from '@analytics/contracts';
import { readEventFeed, toEnvelope } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  canonicalState,
  createScratchDatabase,
  eventually,
  jsonOf,
  readModelSnapshot,
  startApp,
} from '@analytics/testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { EventDecoder } from '../apps/query-api/src/projections/event-decoder';
import { foldHistory } from '../apps/query-api/src/projections/fold-history';
import { ProjectedEvent } from '../apps/query-api/src/projections/projected-event';
import { readModelChecksum } from '../apps/query-api/src/projections/rebuild/projection-rebuilder';
import { SWITCH_LOCK_KEY } from '../apps/query-api/src/projections/rebuild/switch-lock';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';
import { writeHistory } from './read-side-fixtures';

const EVENTS = Number(process.env.REBUILD_E2E_EVENTS ?? 4_000);
const MAIN = join(__dirname, '..', 'dist', 'apps', 'query-api', 'main.js');

interface CliRun {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  kill(): void;
}

/**
 * Rebuild without downtime, as it runs: command-api and query-api as processes (own scratch
 * databases, own topics), the rebuild as `main.js projections:rebuild` processes, the history
 * replayed only through command-api's HTTP event feed.
 */
describe('projection rebuild end to end', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}rb${randomUUID().slice(0, 6)}.`;
  const topics = new TopicNames(prefix);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const groupId = `query-api-rebuild-e2e-${randomUUID().slice(0, 8)}`;
  let writeScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let writeDb: DataSource;
  let readDb: DataSource;
  let redis: Redis;
  let commandApi: AppProcess;
  let queryApi: AppProcess;
  const children: CliRun[] = [];
  /** Load and query loops, awaited (errors ignored) in afterAll so nothing outlives the apps. */
  const background: Promise<unknown>[] = [];
  let loading = false;
  let querying = false;
  const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });
  const cliEnv = () => ({
    READ_DATABASE_URL: readScratch.url,
    DATABASE_URL: readScratch.url,
    COMMAND_API_URL: commandApi.baseUrl,
    PROJECTIONS_REBUILD_MAX_PAUSE_MS: '3000',
  });

  beforeAll(async () => {
    writeScratch = await createScratchDatabase('rebuild_write');
    readScratch = await createScratchDatabase('rebuild_read');
    await runPendingMigrations(commandApiSchema, writeScratch.url);
    await runPendingMigrations(queryApiSchema, readScratch.url);
    writeDb = await new DataSource({ type: 'postgres', url: writeScratch.url, extra: { max: 20 } }).initialize();
    readDb = await new DataSource({ type: 'postgres', url: readScratch.url, extra: { max: 5 } }).initialize();
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: STREAM_TYPES.map((type) => ({ topic: topics.eventsOf(type), numPartitions: 6 })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    commandApi = await startApp('command-api', { DATABASE_URL: writeScratch.url, KAFKA_TOPIC_PREFIX: prefix });
    queryApi = await startApp('query-api', {
      ...cliEnv(),
      KAFKA_TOPIC_PREFIX: prefix,
      PROJECTIONS_GROUP_ID: groupId,
      PROJECTIONS_SESSION_TIMEOUT_MS: '10000',
    });
    const started = Date.now();
    const written = await writeHistory(writeDb, topics, EVENTS, 'hist');
    console.log(`wrote ${written} events through appendToStream in ${Date.now() - started} ms`);
    for (let i = 0; i < 20; i++) await createClient(`cmd-${i}`);
    const total = await storeCount();
    await eventually(async () => (await ledgerCount()) === total, 120_000, 100);
  });

  afterAll(async () => {
    loading = false;
    querying = false;
    for (const child of children) child.kill(); // a no-op for the ones that exited
    await Promise.all(children.map((child) => child.exited));
    await Promise.allSettled(background);
    await queryApi?.stop();
    await commandApi?.stop();
    redis?.disconnect();
    await writeDb?.destroy();
    await readDb?.destroy();
    await writeScratch?.drop();
    await readScratch?.drop();
  });

  const command = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${commandApi.baseUrl}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return jsonOf<{ id: string; version: number; position: string }>(response);
  };
  const createClient = async (clientId: string) => {
    const created = await command('POST', '/client-configs', {
      clientId,
      displayName: `Client ${clientId}`,
      timezone: 'Europe/Paris',
      currency: 'EUR',
      settings: { tier: 'gold' },
    });
    await command('PUT', `/client-configs/${created.id}/feature-flags/beta`, { enabled: true });
    return created;
  };
  const storeCount = async () => (await writeDb.query(`SELECT count(*)::int AS n FROM events`))[0].n as number;
  const ledgerCount = async () =>
    (await readDb.query(`SELECT count(*)::int AS n FROM read_model.applied_events`))[0].n as number;
  const nextLedgerCount = async () => {
    try {
      return (await readDb.query(`SELECT count(*)::int AS n FROM read_model_next.applied_events`))[0].n as number;
    } catch {
      return 0; // not created yet
    }
  };
  const schemas = async () =>
    (await readDb.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model%' ORDER BY nspname`)).map(
      (row: { nspname: string }) => row.nspname,
    );

  function rebuildCli(args: string[], env: Record<string, string> = {}): CliRun {
    const child = spawn(process.execPath, [MAIN, 'projections:rebuild', ...args], {
      env: { ...process.env, ...cliEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const run = { pid: child.pid as number, exited, output: () => output, kill: () => void child.kill('SIGKILL') };
    children.push(run);
    return run;
  }

  /** Every event in the store through the feed (reads on past events held back by open transactions). */
  async function history(): Promise<ProjectedEvent[]> {
    const total = await storeCount();
    const events: ProjectedEvent[] = [];
    for (let after = '0'; events.length < total;) {
      const page = await readEventFeed(writeDb, { after, limit: 5000 });
      if (page.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      for (const recorded of page) {
        const result = decoder.decode(JSON.stringify(toEnvelope(recorded)), recorded.streamType);
        if (!result.ok) throw new Error(`${recorded.eventId}: ${result.detail}`);
        events.push(result.event);
      }
      after = page[page.length - 1].position;
    }
    return events;
  }

  /** read_model = the fold of the whole history; every stream's ledger is exactly versions 1..n. */
  async function expectEqualsFold(all: ProjectedEvent[]) {
    expect(canonicalState(await readModelSnapshot(readDb))).toEqual(canonicalState(foldHistory(all)));
    const gaps = await readDb.query(
      `SELECT s.stream_id FROM read_model.stream_versions s
         LEFT JOIN read_model.applied_events a ON a.stream_type = s.stream_type AND a.stream_id = s.stream_id
        GROUP BY s.stream_id, s.version
       HAVING count(a.event_id) <> s.version OR coalesce(max(a.stream_version), 0) <> s.version`,
    );
    expect(gaps).toEqual([]);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.pending_events`)).toEqual([{ n: 0 }]);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.dead_letters`)).toEqual([{ n: 0 }]);
  }

  it('refuses an unknown projection set (exit 64, HTTP 404)', async () => {
    const run = rebuildCli(['no-such-set']);
    expect((await run.exited).code).toBe(64);
    expect(run.output()).toMatch(/Unknown projection set "no-such-set"; known: read-models, all/);
    const response = await fetch(`${queryApi.baseUrl}/v1/admin/projections/no-such-set/rebuild`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('kill -9 mid-rebuild leaves read_model untouched; a rerun succeeds and equals the live one (checksum)', async () => {
    const all = await history();
    const before = await readModelChecksum(readDb, 'read_model');
    const ledgerBefore = await ledgerCount();
    expect(ledgerBefore).toBe(all.length);

    const doomed = rebuildCli(['read-models', '--page-size', '20']);
    await eventually(async () => (await nextLedgerCount()) >= Math.min(500, all.length / 4), 60_000, 10);
    doomed.kill();
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const replayed = await nextLedgerCount();
    console.log(`kill -9 of the rebuild after ${replayed} of ${all.length} events replayed`);
    expect(replayed).toBeLessThan(all.length);
    expect(await schemas()).toEqual(['read_model', 'read_model_next']);
    expect(await readModelChecksum(readDb, 'read_model')).toBe(before);
    expect(await ledgerCount()).toBe(ledgerBefore);
    expect((await fetch(`${queryApi.baseUrl}/v1/clients?limit=5`)).status).toBe(200);

    // A cached list page: its namespace generation token (scoped by the read database) exists now.
    expect((await fetch(`${queryApi.baseUrl}/v1/clients?limit=7`)).status).toBe(200);
    const scope = new URL(readScratch.url);
    const clientsGeneration = `cache:query-api:n:${scope.hostname}:${scope.port || 5432}${scope.pathname}/clients`;
    const tokenBefore = await redis.get(clientsGeneration);
    expect(tokenBefore).not.toBeNull();
    const rerun = rebuildCli(['read-models']);
    const { code } = await rerun.exited;
    expect({ code, output: rerun.output() }).toEqual({ code: 0, output: expect.stringMatching(/done:/) });
    console.log(rerun.output().trim());
    expect(rerun.output()).toMatch(/dropping read_model_next \(left by an interrupted rebuild\)/);
    expect(rerun.output()).not.toMatch(/a second time/); // the feed never repeated an event
    // Not a terminal: plain progress lines (a replay this short may show only its phase changes).
    expect(rerun.output()).toMatch(/rebuild read-models: switching, [\d,]+ events, position \d+ of head \d+/);
    expect(rerun.output()).not.toContain('\r');
    expect(await schemas()).toEqual(['read_model']);
    const after = await readModelChecksum(readDb, 'read_model');
    expect(after).toBe(before);
    expect(rerun.output()).toContain(`checksum ${after}`);
    expect(await ledgerCount()).toBe(all.length);
    expect(await redis.get(clientsGeneration)).not.toBe(tokenBefore); // the whole query cache was dropped
    expect(rerun.output()).toMatch(/query cache invalidated/);
    await expectEqualsFold(all);
  });

  it('under a light command load: queries keep answering, a second rebuild gets 409 / exit 2, the live consumer carries on', async () => {
    // A light, steady load (commands are not what is measured): live events during the replay and the switch.
    loading = true;
    let commands = 0;
    const load = Array.from({ length: 2 }, async (_, worker) => {
      for (let i = 0; loading; i++) {
        await createClient(`load-${worker}-${i}-${randomUUID().slice(0, 4)}`);
        commands += 2;
        await sleep(100);
      }
    });
    background.push(...load);
    const known = 'cmd-0';
    let queries = 0;
    const failures: string[] = [];
    querying = true;
    const poll = (async () => {
      while (querying) {
        for (const path of [
          `/v1/clients?limit=20`,
          `/v1/clients/${known}/overview`,
          `/v1/connector-profiles?limit=5`,
        ]) {
          try {
            const response = await fetch(`${queryApi.baseUrl}${path}`);
            const body = await response.text();
            queries++;
            const empty = path.includes('?') && (JSON.parse(body) as { items: unknown[] }).items.length === 0;
            if (response.status !== 200 || empty) failures.push(`${path}: ${response.status} ${body.slice(0, 200)}`);
          } catch (error) {
            failures.push(`${path}: ${(error as Error).message}`);
          }
        }
        await sleep(20);
      }
    })();
    background.push(poll);

    // Hold the switch lock in shared mode (as a live projection transaction does): the first rebuild
    // replays but cannot switch, so the conflicts below are met while it runs, whatever the timing.
    const holder = readDb.createQueryRunner();
    await holder.connect();
    let first: CliRun;
    try {
      await holder.startTransaction();
      await holder.query(`SELECT pg_advisory_xact_lock_shared($1::bigint)`, [SWITCH_LOCK_KEY]);
      first = rebuildCli(['all', '--page-size', '50']);
      await eventually(async () => (await nextLedgerCount()) > 0, 30_000, 20);
      const second = rebuildCli(['read-models']);
      const conflict = await fetch(`${queryApi.baseUrl}/v1/admin/projections/read-models/rebuild`, { method: 'POST' });
      const secondExit = await second.exited;
      expect({ code: secondExit.code, output: second.output() }).toEqual({
        code: 2,
        output: expect.stringMatching(/A projection rebuild is already running \(database session \d+/),
      });
      expect(conflict.status).toBe(409);
      expect(await jsonOf(conflict)).toMatchObject({
        status: 409,
        type: expect.stringMatching(/rebuild-in-progress$/),
      });
      // The first one reaches the switch and gives up the attempt (the live side is paused at most
      // PROJECTIONS_REBUILD_MAX_PAUSE_MS), read_model untouched.
      await eventually(async () => /could not pause the live projections in time/.test(first.output()), 90_000, 100);
      expect(first.output()).not.toMatch(/done:/);
      expect(await schemas()).toEqual(['read_model', 'read_model_next']);
    } finally {
      if (holder.isTransactionActive) await holder.commitTransaction().catch(() => undefined);
      await holder.release();
    }

    const { code } = await first.exited;
    expect({ code, output: first.output() }).toEqual({ code: 0, output: expect.stringMatching(/done:/) });
    console.log(first.output().trim().split('\n').slice(-3).join('\n'));
    expect(first.output()).not.toMatch(/a second time/); // the feed never repeated an event
    // The live consumer goes on into the new tables: a command after the switch becomes visible.
    const late = `after-switch-${randomUUID().slice(0, 6)}`;
    await createClient(late);
    loading = false;
    await Promise.all(load);
    await eventually(
      async () => (await fetch(`${queryApi.baseUrl}/v1/clients/${late}/overview`)).status === 200,
      30_000,
      100,
    );
    querying = false;
    await poll;
    console.log(
      `during the rebuild: ${commands} commands accepted, ${queries} queries answered, ${failures.length} failed`,
    );
    expect(failures).toEqual([]);

    const total = await storeCount();
    await eventually(async () => (await ledgerCount()) === total, 60_000, 100);
    await expectEqualsFold(await history());
    expect(await schemas()).toEqual(['read_model']);
  });

  it('rebuilds through the admin endpoint too, keeping the previous schema when asked', async () => {
    const before = await readModelChecksum(readDb, 'read_model');
    const started = await fetch(`${queryApi.baseUrl}/v1/admin/projections/read-models/rebuild`, { method: 'POST' });
    expect(started.status).toBe(202);
    let status: { phase: string; result: { checksum: string; rate: number } | null; error: string | null };
    await eventually(
      async () => {
        status = await jsonOf(await fetch(`${queryApi.baseUrl}/v1/admin/projections/rebuild`));
        return status.phase === 'done' || status.phase === 'failed';
      },
      60_000,
      100,
    );
    expect(status!).toMatchObject({ phase: 'done', error: null, result: { checksum: before } });
    console.log(`admin rebuild: ${Math.round(status!.result!.rate)} events/s`);
    expect(await readModelChecksum(readDb, 'read_model')).toBe(before);

    const kept = rebuildCli(['read-models', '--keep-previous']);
    expect((await kept.exited).code).toBe(0);
    expect(await schemas()).toEqual(['read_model', expect.stringMatching(/^read_model_prev_\d{14}$/)]);
    const previous = (await schemas())[1];
    expect(await readModelChecksum(readDb, previous)).toBe(before);
    expect(await readModelChecksum(readDb, 'read_model')).toBe(before);
  });

  it('closes the live open dead letters whose events the replay applied', async () => {
    const [applied, other] = await history();
    const deadLetter = async (event: ProjectedEvent, envelope: Record<string, unknown>) => {
      const [{ id }] = await readDb.query(
        `INSERT INTO read_model.dead_letters
           (event_id, stream_type, stream_id, stream_version, event_type, reason, detail, envelope, raw_bytes)
         VALUES ($1, $2, $3, $4, $5, 'handler-error', 'injected by the test', $6, 0) RETURNING id::text AS id`,
        [event.id, event.streamType, event.streamId, event.streamVersion, event.type, JSON.stringify(envelope)],
      );
      return id as string;
    };
    const retriable = await deadLetter(applied, { ...applied });
    // An envelope whose position is no number: found by event id, and the switch does not fail on it.
    const poison = await deadLetter(other, { ...other, position: 'not a number' });

    const run = rebuildCli(['read-models']);
    const { code } = await run.exited;
    expect({ code, output: run.output() }).toEqual({ code: 0, output: expect.stringMatching(/done:/) });
    const letters = await readDb.query(
      `SELECT id::text AS id, status, resolved_at IS NOT NULL AS resolved FROM read_model.dead_letters ORDER BY id`,
    );
    expect(letters).toEqual([
      { id: retriable, status: 'retried', resolved: true },
      { id: poison, status: 'retried', resolved: true },
    ]);
    await readDb.query(`DELETE FROM read_model.dead_letters`);
  });
});
