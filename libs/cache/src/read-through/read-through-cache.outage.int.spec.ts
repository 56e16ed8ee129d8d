import { PrivateRedis } from '@analytics/testing';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { CacheMetrics } from './cache-metrics';
import { CacheRead, ReadThroughCache } from './read-through-cache';

/**
 * Redis paused (SIGSTOP) and stopped, on a private redis-server this file starts on a free port:
 * the shared Redis of the machine is never touched.
 */
const TIMEOUT_MS = 50;
const COOLDOWN_MS = 300;
/** The latency bound every request must meet with Redis away: Redis timeout + load + slack. */
const BOUND_MS = 250;
const LOAD_MS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ReadThroughCache with Redis paused or stopped (private redis-server)', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let cache: ReadThroughCache;
  let registry: Registry;
  let loads = 0;

  /** The "database": a few milliseconds per query. */
  const load = (key: string) => async () => {
    loads++;
    await sleep(LOAD_MS);
    return { value: `row ${key}`, position: '1' };
  };

  beforeAll(async () => {
    server = new PrivateRedis();
    await server.start();
    // The client exactly as CacheModule builds it.
    redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    redis.on('error', () => undefined);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    registry = new Registry();
    cache = new ReadThroughCache(redis, {
      name: 'outage',
      ttlSeconds: 300,
      redisTimeoutMs: TIMEOUT_MS,
      breakerFailureThreshold: 5,
      breakerCooldownMs: COOLDOWN_MS,
      metrics: CacheMetrics.on(registry),
    });
  });

  afterAll(async () => {
    cache?.close();
    redis?.disconnect();
    await server?.stop();
  });

  /** 200 requests, 20 at a time over 10 keys; the slowest latency and how they were answered. */
  async function twoHundredRequests(): Promise<{ slowestMs: number; reads: CacheRead<string>[] }> {
    const reads: CacheRead<string>[] = [];
    let slowestMs = 0;
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const key = `k${(round * 20 + i) % 10}`;
          const started = performance.now();
          const read = await cache.read(key, load(key));
          slowestMs = Math.max(slowestMs, performance.now() - started);
          reads.push(read);
          expect(read.value).toBe(`row ${key}`);
        }),
      );
    }
    return { slowestMs, reads };
  }

  async function untilServedFromCache(key: string, withinMs: number): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < withinMs) {
      const read = await cache.read(key, load(key));
      await cache.idle();
      if (read.source === 'cache') return performance.now() - started;
      await sleep(50);
    }
    throw new Error(`${key} not served from Redis within ${withinMs} ms`);
  }

  async function requestCounts() {
    const metric = await registry.getSingleMetric('cache_requests_total')!.get();
    return Object.fromEntries(metric.values.map((v) => [v.labels.result, v.value]));
  }

  /** Commands ioredis holds unanswered: must stay bounded while Redis does not answer. */
  const queuedCommands = () => (redis as unknown as { commandQueue: { length: number } }).commandQueue.length;

  it('serves hits while Redis is up', async () => {
    await cache.read('k0', load('k0'));
    await cache.idle();
    expect((await cache.read('k0', load('k0'))).source).toBe('cache');
    expect(cache.circuitState).toBe('closed');
  });

  it('Redis paused (SIGSTOP): every request answered from the database within the bound; then recovers', async () => {
    server.pause();
    try {
      const { slowestMs, reads } = await twoHundredRequests();
      console.log(`paused: slowest of 200 requests ${slowestMs.toFixed(1)} ms; queued commands ${queuedCommands()}`);
      expect(slowestMs).toBeLessThan(BOUND_MS);
      expect(reads.every((read) => read.source === 'loader')).toBe(true);
      expect(cache.circuitState).not.toBe('closed');
      expect(queuedCommands()).toBeLessThanOrEqual(20); // the reads in flight when Redis froze, not one per request
      const counts = await requestCounts();
      expect(counts.bypass).toBeGreaterThan(150);

      // An invalidation while Redis is paused does not hang the projection either.
      const started = performance.now();
      await expect(cache.invalidate('k1')).resolves.toBe(false);
      expect(performance.now() - started).toBeLessThan(BOUND_MS);
      expect(cache.pendingInvalidationCount).toBe(2);
    } finally {
      server.resume();
    }
    const recoveredMs = await untilServedFromCache('k2', 5_000);
    console.log(`paused → resumed: hits again after ${recoveredMs.toFixed(0)} ms`);
    expect(cache.circuitState).toBe('closed');
    // The invalidation made during the pause reaches Redis.
    for (let i = 0; i < 50 && cache.pendingInvalidationCount > 0; i++) await sleep(50);
    expect(cache.pendingInvalidationCount).toBe(0);
  });

  it('an invalidation Redis missed is not undone: the entry is not served stale after Redis returns', async () => {
    let row = 'v1';
    const loadRow = async () => ({ value: row });
    await cache.read('stale-check', loadRow);
    await cache.idle();
    expect((await cache.read('stale-check', loadRow)).source).toBe('cache');

    server.pause();
    row = 'v2';
    try {
      await expect(cache.invalidate('stale-check')).resolves.toBe(false);
    } finally {
      server.resume();
    }
    // Right after Redis returns and before or after the retry, never 'v1'.
    for (let i = 0; i < 20; i++) {
      expect((await cache.read('stale-check', loadRow)).value).toBe('v2');
      await cache.idle();
      await sleep(50);
    }
    expect(cache.pendingInvalidationCount).toBe(0);
    expect(await cache.read('stale-check', loadRow)).toMatchObject({ value: 'v2', source: 'cache' });
  });

  it('Redis stopped: every request answered from the database within the bound; restarted on the same port: recovers', async () => {
    await server.stop();
    const { slowestMs, reads } = await twoHundredRequests();
    console.log(`stopped: slowest of 200 requests ${slowestMs.toFixed(1)} ms; queued commands ${queuedCommands()}`);
    expect(slowestMs).toBeLessThan(BOUND_MS);
    expect(reads.every((read) => read.source === 'loader')).toBe(true);
    expect(queuedCommands()).toBeLessThanOrEqual(20); // the reads in flight when Redis froze, not one per request

    // Still bounded after a while (ioredis reconnecting in the background, circuit probing).
    await sleep(3 * COOLDOWN_MS);
    const again = await twoHundredRequests();
    expect(again.slowestMs).toBeLessThan(BOUND_MS);

    await server.start();
    const recoveredMs = await untilServedFromCache('k3', 10_000);
    console.log(`stopped → restarted: hits again after ${recoveredMs.toFixed(0)} ms`);
    expect(cache.circuitState).toBe('closed');
    const counts = await requestCounts();
    console.log(`requests by result: ${JSON.stringify(counts)}; loads: ${loads}`);
    expect(await registry.metrics()).toContain('cache_circuit_open{cache="outage"} 0');
  });
});
