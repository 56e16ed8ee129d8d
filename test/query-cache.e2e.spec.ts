import { STREAM_TYPES } from '@analytics/contracts';
import { TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import { AppProcess, createScratchDatabase, eventually, jsonOf, startApp } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';
import { PrivateRedis } from '@analytics/testing';

/** Default wait of X-Min-Position in this file (READ_YOUR_WRITES_TIMEOUT_MS). */
const WAIT_MS = 1_500;
/** Every query must be answered within this, Redis up, paused or gone. */
const BOUND_MS = 500;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * The queries' cache and read-your-writes, as they run: command-api and query-api as processes
 * (own scratch databases and topics), query-api on a redis-server of this file's own (paused and
 * killed here; the machine's Redis is never touched).
 */
describe('query cache and read-your-writes end to end', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}qc${randomUUID().slice(0, 6)}.`;
  const topics = new TopicNames(prefix);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const redis = new PrivateRedis();
  let writeScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readDb: DataSource;
  let commandApi: AppProcess;
  let queryApi: AppProcess;
  let clientId: string;
  let profileId: string;

  beforeAll(async () => {
    writeScratch = await createScratchDatabase('qcache_write');
    readScratch = await createScratchDatabase('qcache_read');
    await runPendingMigrations(commandApiSchema, writeScratch.url);
    await runPendingMigrations(queryApiSchema, readScratch.url);
    readDb = await new DataSource({ type: 'postgres', url: readScratch.url, extra: { max: 3 } }).initialize();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: STREAM_TYPES.map((type) => ({ topic: topics.eventsOf(type), numPartitions: 6 })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    await redis.start();
    commandApi = await startApp('command-api', { DATABASE_URL: writeScratch.url, KAFKA_TOPIC_PREFIX: prefix });
    queryApi = await startApp('query-api', {
      READ_DATABASE_URL: readScratch.url,
      DATABASE_URL: readScratch.url,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: redis.url,
      PROJECTIONS_GROUP_ID: `qcache-${randomUUID().slice(0, 8)}`,
      PROJECTIONS_SESSION_TIMEOUT_MS: '6000',
      READ_YOUR_WRITES_TIMEOUT_MS: String(WAIT_MS),
      CACHE_BREAKER_COOLDOWN_MS: '300',
    });
  });

  afterAll(async () => {
    await queryApi?.stop();
    await commandApi?.stop();
    await redis.stop();
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
  const query = (path: string, headers: Record<string, string> = {}, app = queryApi) =>
    fetch(`${app.baseUrl}${path}`, { headers });
  /** A sample of /metrics: the series `name` whose labels include `labels` (0 when absent). */
  const metric = async (name: string, labels: Record<string, string> = {}, app = queryApi) => {
    const text = await (await query('/metrics', {}, app)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
          Object.entries(labels).every(([label, value]) => l.includes(`${label}="${value}"`)),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const loads = () => metric('cache_load_duration_seconds_count', { cache: 'queries' });
  const hits = () => metric('cache_requests_total', { cache: 'queries', result: 'hit' });
  const applied = async (position: string) =>
    (await readDb.query(`SELECT 1 FROM read_model.applied_events WHERE position = $1`, [position])).length > 0;

  it('from a fresh stack, a command is visible on the very next request with X-Min-Position (caught-up)', async () => {
    clientId = `qc-${randomUUID().slice(0, 6)}`;
    const config = await command('POST', '/client-configs', {
      clientId,
      displayName: 'Cache Co',
      timezone: 'Europe/Paris',
      currency: 'EUR',
      settings: {},
    });
    // The very first request also waits for the consumer group to form: allow it more time.
    let response = await query(`/v1/clients/${clientId}/overview`, {
      'X-Min-Position': config.position,
      'X-Max-Wait-Ms': '10000',
    });
    expect(response.headers.get('x-consistency')).toBe('caught-up');
    expect(await jsonOf(response)).toMatchObject({ clientId, displayName: 'Cache Co' });

    const profile = await command('POST', '/connector-profiles', {
      clientId,
      name: 'Orders',
      kind: 'postgres',
      config: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader' },
      tags: ['eu'],
      secrets: { password: 'hunter2' },
    });
    profileId = profile.id;
    const at = { 'X-Min-Position': profile.position };
    response = await query(`/v1/connector-profiles/${profile.id}`, at);
    expect(response.headers.get('x-consistency')).toBe('caught-up');
    expect(await jsonOf(response)).toMatchObject({ id: profile.id, name: 'Orders', position: profile.position });
    response = await query(`/v1/connector-profiles?clientId=${clientId}`, at);
    expect(response.headers.get('x-consistency')).toBe('caught-up');
    expect(await jsonOf(response)).toMatchObject({ items: [{ id: profile.id }] });
    response = await query(`/v1/clients/${clientId}/overview`, at);
    expect(await jsonOf(response)).toMatchObject({ connectors: { total: 1 } });
    expect((await query(`/v1/connector-profiles/${randomUUID()}`, at)).headers.get('x-consistency')).toBe('caught-up');

    // Write-to-read lag: command answered -> the next query with X-Min-Position answered, showing it.
    const lags: number[] = [];
    for (let i = 0; i < 20; i++) {
      const updated = await command('PATCH', `/connector-profiles/${profile.id}`, { name: `Orders ${i}` });
      const started = performance.now();
      const read = await query(`/v1/connector-profiles/${profile.id}`, { 'X-Min-Position': updated.position });
      const body = await jsonOf<{ name: string }>(read);
      lags.push(performance.now() - started);
      expect({ consistency: read.headers.get('x-consistency'), name: body.name }).toEqual({
        consistency: 'caught-up',
        name: `Orders ${i}`,
      });
    }
    console.log(
      `write-to-read with X-Min-Position (command answered -> query answered, 20 commands): p50 ${percentile(lags, 50).toFixed(1)} ms, max ${Math.max(...lags).toFixed(1)} ms`,
    );
  });

  it('an unreachable position answers stale after the wait (X-Max-Wait-Ms, else the configured default); bad headers are 400 problems', async () => {
    const path = `/v1/connector-profiles/${profileId}`;
    let started = performance.now();
    let response = await query(path, { 'X-Min-Position': '9000000000000000000', 'X-Max-Wait-Ms': '300' });
    let took = performance.now() - started;
    expect(response.status).toBe(200);
    expect(response.headers.get('x-consistency')).toBe('stale');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(300 + BOUND_MS);

    started = performance.now();
    response = await query(path, { 'X-Min-Position': '9000000000000000000' });
    took = performance.now() - started;
    expect(response.headers.get('x-consistency')).toBe('stale');
    expect(took).toBeGreaterThanOrEqual(WAIT_MS - 10);
    expect(took).toBeLessThan(WAIT_MS + BOUND_MS);
    console.log(
      `X-Min-Position never applied: stale after ${took.toFixed(0)} ms (READ_YOUR_WRITES_TIMEOUT_MS=${WAIT_MS})`,
    );

    for (const headers of <Record<string, string>[]>[
      { 'X-Min-Position': 'abc' },
      { 'X-Min-Position': '-5' },
      { 'X-Min-Position': '99999999999999999999' },
      { 'X-Min-Position': '1', 'X-Max-Wait-Ms': 'soon' },
    ]) {
      for (const target of [path, '/v1/service-proposals', `/v1/clients/${clientId}/overview`]) {
        response = await query(target, headers);
        expect({ headers, target, status: response.status, type: response.headers.get('content-type') }).toEqual({
          headers,
          target,
          status: 400,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
      }
    }
    // Without the header: no wait, no X-Consistency.
    expect((await query(path)).headers.get('x-consistency')).toBeNull();
  });

  it('a cached detail and list page show a change at once: invalidated by the projection, not left to the TTL', async () => {
    const detail = `/v1/connector-profiles/${profileId}`;
    const list = `/v1/connector-profiles?clientId=${clientId}&limit=10`;
    for (const path of [detail, list, detail, list]) expect((await query(path)).status).toBe(200);
    const hitsBefore = await hits();
    const loadsBefore = await loads();
    for (const path of [detail, list]) await query(path);
    expect(await hits()).toBe(hitsBefore + 2);
    expect(await loads()).toBe(loadsBefore);

    // Hit and miss latency, client side (HTTP included): 200 hits of one page vs 200 distinct pages.
    const hitMs: number[] = [];
    const missMs: number[] = [];
    for (let i = 1; i <= 200; i++) {
      let started = performance.now();
      await (await query(list)).text();
      hitMs.push(performance.now() - started);
      started = performance.now();
      await (await query(`/v1/connector-profiles?clientId=${clientId}&limit=${i}&status=active`)).text();
      missMs.push(performance.now() - started);
    }
    console.log(
      `GET list page: cache hit p50 ${percentile(hitMs, 50).toFixed(2)} ms p99 ${percentile(hitMs, 99).toFixed(2)} ms; ` +
        `miss (Postgres + store) p50 ${percentile(missMs, 50).toFixed(2)} ms p99 ${percentile(missMs, 99).toFixed(2)} ms`,
    );

    // Without X-Min-Position: the next queries show the change as soon as the projection commits.
    const renamed = await command('PATCH', `/connector-profiles/${profileId}`, { name: 'Renamed' });
    const waited = await eventually(
      async () => {
        const [one, page] = await Promise.all([
          jsonOf<{ name: string }>(await query(detail)),
          jsonOf<{ items: { name: string }[] }>(await query(list)),
        ]);
        return one.name === 'Renamed' && page.items[0]?.name === 'Renamed';
      },
      10_000,
      20,
    );
    console.log(`cached detail and list show the change ${waited} ms after the command (TTL 300 s)`);
    expect(await applied(renamed.position)).toBe(true);

    // With X-Min-Position: the very next request.
    const again = await command('PATCH', `/connector-profiles/${profileId}`, { name: 'Renamed again' });
    const [one, page] = await Promise.all([
      query(detail, { 'X-Min-Position': again.position }),
      query(list, { 'X-Min-Position': again.position }),
    ]);
    expect(await jsonOf(one)).toMatchObject({ name: 'Renamed again' });
    expect(await jsonOf(page)).toMatchObject({ items: [{ name: 'Renamed again' }] });
  });

  it('a hot key invalidated under 500 concurrent requests: at most a few database loads (single flight)', async () => {
    const detail = `/v1/connector-profiles/${profileId}`;
    await query(detail);
    const changed = await command('PATCH', `/connector-profiles/${profileId}`, { name: 'Hot' });
    await eventually(() => applied(changed.position), 10_000, 5);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the invalidation follows the commit
    const before = await loads();
    const answers = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const response = await query(detail);
        return { status: response.status, name: (await jsonOf<{ name: string }>(response)).name };
      }),
    );
    const loaded = (await loads()) - before;
    console.log(`500 concurrent requests of an invalidated hot key: ${loaded} database load(s)`);
    expect(answers.every((answer) => answer.status === 200 && answer.name === 'Hot')).toBe(true);
    expect(loaded).toBeGreaterThanOrEqual(1);
    expect(loaded).toBeLessThanOrEqual(3);
  });

  it('readiness reports a stalled consumer (degraded, still 200); a caught-up one is up', async () => {
    // A second query-api with projections off and a group that never applied anything: lag > 0, no progress.
    const idle = await startApp('query-api', {
      READ_DATABASE_URL: readScratch.url,
      DATABASE_URL: readScratch.url,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL: redis.url,
      PROJECTIONS_ENABLED: 'false',
      PROJECTIONS_GROUP_ID: `qcache-idle-${randomUUID().slice(0, 8)}`,
      PROJECTIONS_STALL_SECONDS: '1',
      PROJECTIONS_LAG_INTERVAL_MS: '200',
    });
    try {
      let report: { degraded?: { projections?: { reason?: string } } } = {};
      await eventually(
        async () => {
          const response = await query('/health/ready', {}, idle);
          report = await jsonOf(response);
          return response.status === 200 && report.degraded?.projections !== undefined;
        },
        15_000,
        200,
      );
      expect(report.degraded?.projections?.reason).toMatch(
        /^stalled: no progress for \d+ s while \d+ message\(s\) wait$/,
      );
      expect(await metric('projection_stalled', {}, idle)).toBe(1);
      expect(await metric('projection_lag_events', {}, idle)).toBeGreaterThan(0);
    } finally {
      await idle.stop();
    }
    const ready = await jsonOf<{ details: { projections: { status: string; lagEvents: number } }; degraded?: unknown }>(
      await query('/health/ready'),
    );
    expect(ready.details.projections).toMatchObject({ status: 'up', lagEvents: 0 });
    expect(ready.degraded).toBeUndefined();
    expect(await metric('projection_stalled')).toBe(0);
  });

  it(`Redis paused, then killed: every query answered from Postgres within ${BOUND_MS} ms; readiness says Redis is down`, async () => {
    const paths = [
      `/v1/connector-profiles/${profileId}`,
      `/v1/connector-profiles?clientId=${clientId}`,
      `/v1/clients/${clientId}/overview`,
      `/v1/clients`,
      `/v1/service-proposals?clientId=${clientId}`,
    ];
    const hundredQueries = async (label: string) => {
      const latencies: number[] = [];
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const started = performance.now();
            const response = await query(paths[(round * 10 + i) % paths.length]);
            await response.text();
            latencies.push(performance.now() - started);
            expect(response.status).toBe(200);
          }),
        );
      }
      console.log(
        `${label}: 100 queries, all 200, p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
      );
      expect(Math.max(...latencies)).toBeLessThan(BOUND_MS);
    };
    for (const path of paths) await query(path);

    redis.pause();
    try {
      await hundredQueries('Redis paused (SIGSTOP)');
      const ready = await query('/health/ready');
      expect(ready.status).toBe(503);
      expect(await jsonOf(ready)).toMatchObject({ error: { redis: { status: 'down' } } });
      // Read-your-writes still works with Redis away.
      const changed = await command('PATCH', `/connector-profiles/${profileId}`, { name: 'While paused' });
      const read = await query(`/v1/connector-profiles/${profileId}`, { 'X-Min-Position': changed.position });
      expect(read.headers.get('x-consistency')).toBe('caught-up');
      expect(await jsonOf(read)).toMatchObject({ name: 'While paused' });
    } finally {
      redis.resume();
    }
    // Back: hits again (after the breaker's cool-down), and the value changed meanwhile is not served stale.
    await eventually(
      async () => {
        const before = await hits();
        await query(paths[0]);
        await query(paths[0]);
        return (await hits()) > before;
      },
      10_000,
      100,
    );
    expect(await jsonOf(await query(paths[0]))).toMatchObject({ name: 'While paused' });
    expect((await query('/health/ready')).status).toBe(200);

    await redis.stop();
    await hundredQueries('Redis killed');
    const ready = await query('/health/ready');
    expect(ready.status).toBe(503);
    expect(await jsonOf(ready)).toMatchObject({ error: { redis: { status: 'down' } } });
  });
});
