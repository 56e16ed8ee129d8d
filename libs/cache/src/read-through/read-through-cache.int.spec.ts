import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { CacheMetrics } from './cache-metrics';
import { ReadThroughCache, ReadThroughCacheOptions } from './read-through-cache';

/** A promise the test resolves when it chooses: a database read held in mid-flight. */
function gate<T>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { open, opened };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `count` loads have started (to hold the test until a reader is inside its load). */
function loadsStarted() {
  let started = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    mark() {
      started++;
      for (const waiter of waiters.filter((w) => w.count <= started)) waiter.resolve();
    },
    until(count: number) {
      return started >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
  };
}

describe('ReadThroughCache (real Redis)', () => {
  // Redis is shared with other test runs and workers: every key of this file is under its own prefix.
  const prefix = `test:rtc:${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  const caches: ReadThroughCache[] = [];

  function newCache(options: Partial<ReadThroughCacheOptions> = {}): ReadThroughCache {
    const cache = new ReadThroughCache(redis, { name: 'test', keyPrefix: prefix, ttlSeconds: 300, ...options });
    caches.push(cache);
    return cache;
  }

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    return new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  });

  afterAll(async () => {
    caches.forEach((cache) => cache.close());
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });

  describe('cache-aside', () => {
    it('loads on a miss, stores the JSON value with the TTL, and serves it on the next request', async () => {
      const cache = newCache({ ttlSeconds: 120 });
      const load = jest.fn(async () => ({ id: 'p-1', tags: ['a'], count: 3, nested: { on: true } }));

      const first = await cache.read('hit-miss', async () => ({ value: await load() }));
      await cache.idle();
      const second = await cache.read('hit-miss', async () => ({ value: await load() }));

      expect(first).toEqual({ value: await load.mock.results[0].value, source: 'loader', position: undefined });
      expect(second.source).toBe('cache');
      expect(second.value).toEqual({ id: 'p-1', tags: ['a'], count: 3, nested: { on: true } });
      expect(load).toHaveBeenCalledTimes(1);
      const ttl = await redis.pttl(`${prefix}v:hit-miss`);
      expect(ttl).toBeGreaterThan(110_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    });

    it('readJson answers the value as JSON text: the stored text itself on a hit', async () => {
      const cache = newCache();
      const value = { id: 'p-2', name: 'quote " and \\ backslash', n: 1.5, list: [null, true] };
      const first = await cache.readJson('as-json', async () => ({ value, position: '7' }));
      await cache.idle();
      const second = await cache.readJson('as-json', async () => ({ value: { id: 'never loaded' } }));

      expect(first).toEqual({ value, position: '7', source: 'loader', json: JSON.stringify(value) });
      expect(second).toEqual({ value, position: '7', source: 'cache', json: JSON.stringify(value) });
      expect(second.json).toBe(await redis.hget(`${prefix}v:as-json`, 'd'));
      const absent = await cache.readJson('as-json-absent', async () => ({ value: undefined }));
      expect(absent.json).toBeUndefined();
    });

    it('loads again once the entry has expired', async () => {
      const cache = newCache({ ttlSeconds: 1 });
      let version = 0;
      const load = async () => ++version;
      expect(await cache.get('expiring', load)).toBe(1);
      await cache.idle();
      expect(await cache.get('expiring', load)).toBe(1);
      await sleep(1_100);
      expect(await cache.get('expiring', load)).toBe(2);
    });

    it('caches null (a known absence) but not undefined', async () => {
      const cache = newCache();
      const loadNull = jest.fn(async () => null);
      await cache.get('null-value', loadNull);
      await cache.idle();
      expect(await cache.get('null-value', loadNull)).toBeNull();
      expect(loadNull).toHaveBeenCalledTimes(1);

      const loadUndefined = jest.fn(async () => undefined);
      await cache.get('undefined-value', loadUndefined);
      await cache.idle();
      await cache.get('undefined-value', loadUndefined);
      expect(loadUndefined).toHaveBeenCalledTimes(2);
    });

    it("propagates the loader's error to every request sharing the load, and caches nothing", async () => {
      const cache = newCache();
      const load = jest.fn(async () => {
        await sleep(10);
        throw new Error('database down');
      });
      const results = await Promise.allSettled([cache.get('failing', load), cache.get('failing', load)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(load).toHaveBeenCalledTimes(1);
      await expect(cache.get('failing', async () => 'recovered')).resolves.toBe('recovered');
    });
  });

  describe('invalidation', () => {
    it('invalidate(key) makes the next request load the new value; other keys stay cached', async () => {
      const cache = newCache();
      const db = new Map([
        ['inv-a', 'a1'],
        ['inv-b', 'b1'],
      ]);
      const load = jest.fn(async (key: string) => db.get(key));
      for (const key of ['inv-a', 'inv-b']) await cache.get(key, () => load(key));
      await cache.idle();

      db.set('inv-a', 'a2');
      await expect(cache.invalidate('inv-a')).resolves.toBe(true);

      expect(await cache.read('inv-a', async () => ({ value: await load('inv-a') }))).toMatchObject({
        value: 'a2',
        source: 'loader',
      });
      expect(await cache.read('inv-b', async () => ({ value: await load('inv-b') }))).toMatchObject({
        value: 'b1',
        source: 'cache',
      });
    });

    it('invalidateNamespace drops every page of a listing with one call; other listings stay cached', async () => {
      const cache = newCache();
      let listVersion = 1;
      const page = (ns: string, n: number) => async () => ({ value: `${ns} page ${n} v${listVersion}` });
      for (const n of [1, 2, 3]) await cache.read(`open:page:${n}`, page('open', n), { namespace: 'list:open' });
      await cache.read('closed:page:1', page('closed', 1), { namespace: 'list:closed' });
      await cache.idle();

      listVersion = 2;
      await expect(cache.invalidateNamespace('list:open')).resolves.toBe(true);

      for (const n of [1, 2, 3]) {
        expect(await cache.read(`open:page:${n}`, page('open', n), { namespace: 'list:open' })).toMatchObject({
          value: `open page ${n} v2`,
          source: 'loader',
        });
      }
      expect(await cache.read('closed:page:1', page('closed', 1), { namespace: 'list:closed' })).toMatchObject({
        value: 'closed page 1 v1',
        source: 'cache',
      });
    });

    it('invalidateAll takes keys and namespaces in one call', async () => {
      const cache = newCache();
      await cache.get('all:detail', async () => 'd1');
      await cache.get('all:page', async () => 'p1', { namespace: 'all:list' });
      await cache.idle();
      await expect(cache.invalidateAll({ keys: ['all:detail'], namespaces: ['all:list'] })).resolves.toBe(true);
      expect(await cache.get('all:detail', async () => 'd2')).toBe('d2');
      expect(await cache.get('all:page', async () => 'p2', { namespace: 'all:list' })).toBe('p2');
    });
  });

  describe('a slow reader never writes a stale value over a newer one (deterministic interleaving)', () => {
    /**
     * A: takes the generation, reads the OLD row and is held. Writer: commits NEW, invalidates.
     * B: loads NEW and stores it. A resumes and tries to store OLD. The cache must still say NEW.
     */
    async function interleave(
      readerA: ReadThroughCache,
      readerB: ReadThroughCache,
      writer: ReadThroughCache,
      key: string,
      namespace?: string,
    ) {
      let row = 'OLD';
      const heldA = gate<void>();
      const started = loadsStarted();
      const resultA = readerA.get(
        key,
        async () => {
          const seen = row; // the database read happens now, before the commit below
          started.mark();
          await heldA.opened;
          return seen;
        },
        { namespace },
      );
      await started.until(1);

      row = 'NEW';
      if (namespace) await writer.invalidateNamespace(namespace);
      else await writer.invalidate(key);

      const resultB = await readerB.read(key, async () => ({ value: row }), { namespace });
      expect(resultB).toMatchObject({ value: 'NEW', source: 'loader' });
      await readerB.idle();

      heldA.open();
      expect(await resultA).toBe('OLD'); // A answers what it read; it just must not cache it
      await readerA.idle();

      return readerB.read(key, async () => ({ value: 'LOADED AGAIN' }), { namespace });
    }

    it('one process: the invalidation also detaches A, so B loads on its own', async () => {
      const registry = new Registry();
      const cache = newCache({ metrics: CacheMetrics.on(registry) });
      const after = await interleave(cache, cache, cache, 'race:one-process');
      expect(after).toEqual({ value: 'NEW', source: 'cache', position: undefined });
      const refused = await registry.getSingleMetric('cache_stale_writes_refused_total')!.get();
      expect(refused.values[0].value).toBe(1);
    });

    it('separate processes (readers and writer on different instances)', async () => {
      const after = await interleave(newCache(), newCache(), newCache(), 'race:processes');
      expect(after).toMatchObject({ value: 'NEW', source: 'cache' });
    });

    it('list pages: a namespace invalidation refuses the slow page write', async () => {
      const after = await interleave(newCache(), newCache(), newCache(), 'race:page:1', 'race:list');
      expect(after).toMatchObject({ value: 'NEW', source: 'cache' });
    });

    it('the same interleaving with plain cache-aside (GET, load, SET) does leave the stale value: the test can fail', async () => {
      // The naive pattern the generation tokens replace; proves the interleaving above really is the hazard.
      const key = `${prefix}naive`;
      const naiveGet = async (load: () => Promise<string>) => {
        const cached = await redis.get(key);
        if (cached !== null) return { value: cached, source: 'cache' };
        const value = await load();
        await redis.set(key, value, 'EX', 300);
        return { value, source: 'loader' };
      };
      let row = 'OLD';
      const heldA = gate<void>();
      const started = loadsStarted();
      const resultA = naiveGet(async () => {
        const seen = row;
        started.mark();
        await heldA.opened;
        return seen;
      });
      await started.until(1);
      row = 'NEW';
      await redis.del(key);
      await naiveGet(async () => row);
      heldA.open();
      await resultA;
      expect(await naiveGet(async () => row)).toEqual({ value: 'OLD', source: 'cache' });
    });
  });

  describe('single flight', () => {
    it('500 concurrent requests of a missing key: one load and one Redis read', async () => {
      const cache = newCache();
      const scripted = redis as unknown as { readThroughCacheRead: (...args: unknown[]) => Promise<unknown> };
      const readSpy = jest.spyOn(scripted, 'readThroughCacheRead');
      const load = jest.fn(async () => {
        await sleep(20);
        return { hot: true };
      });
      try {
        const results = await Promise.all(Array.from({ length: 500 }, () => cache.get('hot:missing', load)));
        expect(results.every((r) => r.hot)).toBe(true);
        expect(load).toHaveBeenCalledTimes(1);
        expect(readSpy).toHaveBeenCalledTimes(1);
      } finally {
        readSpy.mockRestore();
      }
    });

    it('a hot key that expires under 500 concurrent requests causes at most a few loads', async () => {
      const cache = newCache({ ttlSeconds: 1 });
      let loads = 0;
      const load = async () => {
        loads++;
        await sleep(20);
        return loads;
      };
      await cache.get('hot:expiring', load);
      await cache.idle();
      await sleep(1_050);
      loads = 0;
      // Requests keep arriving while the load runs (in waves), not all in one tick.
      const waves = [];
      for (let wave = 0; wave < 5; wave++) {
        waves.push(Promise.all(Array.from({ length: 100 }, () => cache.get('hot:expiring', load))));
        await sleep(5);
      }
      const results = (await Promise.all(waves)).flat();
      expect(results).toHaveLength(500);
      expect(loads).toBeGreaterThanOrEqual(1);
      expect(loads).toBeLessThanOrEqual(3);
    });

    it('counts every request in cache_requests_total by how it was answered', async () => {
      const registry = new Registry();
      const cache = newCache({ metrics: CacheMetrics.on(registry) });
      await Promise.all(Array.from({ length: 10 }, () => cache.get('metrics:key', async () => 1)));
      await cache.idle();
      await Promise.all(Array.from({ length: 30 }, () => cache.get('metrics:key', async () => 1)));
      const text = await registry.metrics();
      expect(text).toContain('cache_requests_total{cache="test",result="miss"} 10');
      expect(text).toContain('cache_requests_total{cache="test",result="hit"} 30');
      expect(text).toContain('cache_load_duration_seconds_count{cache="test"} 1');
      expect(text).toContain('cache_circuit_open{cache="test"} 0');
    });
  });

  describe('read-your-writes (minPosition)', () => {
    it('serves an entry only if its watermark reaches the requested position', async () => {
      const cache = newCache();
      let applied = 5;
      const load = jest.fn(async () => ({ value: `state@${applied}`, position: applied }));

      expect(await cache.read('ryw:key', load)).toMatchObject({ value: 'state@5', position: '5', source: 'loader' });
      await cache.idle();
      expect(await cache.read('ryw:key', load, { minPosition: '5' })).toMatchObject({
        value: 'state@5',
        source: 'cache',
      });

      applied = 9; // the projection moved on (this key was not invalidated: think of a missed invalidation)
      expect(await cache.read('ryw:key', load, { minPosition: 6n })).toMatchObject({
        value: 'state@9',
        position: '9',
        source: 'loader',
      });
      await cache.idle();
      // The newer entry replaced the older one, for everyone.
      expect(await cache.read('ryw:key', load)).toMatchObject({ value: 'state@9', source: 'cache' });
      expect(await cache.read('ryw:key', load, { minPosition: 9 })).toMatchObject({ source: 'cache' });
      expect(load).toHaveBeenCalledTimes(2);
    });

    it('an entry without a watermark never satisfies a minimum', async () => {
      const cache = newCache();
      await cache.get('ryw:unknown', async () => 'no position');
      await cache.idle();
      const load = jest.fn(async () => ({ value: 'loaded', position: '3' }));
      expect(await cache.read('ryw:unknown', load, { minPosition: '1' })).toMatchObject({ source: 'loader' });
    });

    it('a request that needs a later position does not take a shared load that is older', async () => {
      const cache = newCache();
      const held = gate<void>();
      const started = loadsStarted();
      const first = cache.read('ryw:flight', async () => {
        started.mark();
        await held.opened;
        return { value: 'old', position: '4' };
      });
      await started.until(1);
      const second = cache.read('ryw:flight', async () => ({ value: 'new', position: '7' }), { minPosition: '7' });
      held.open();
      expect(await first).toMatchObject({ value: 'old', position: '4' });
      expect(await second).toMatchObject({ value: 'new', position: '7' });
    });

    it('within one generation, a slow load reflecting an earlier position does not replace a later entry', async () => {
      const slow = newCache();
      const fast = newCache();
      const held = gate<void>();
      const started = loadsStarted();
      const slowRead = slow.read('ryw:monotonic', async () => {
        started.mark();
        await held.opened;
        return { value: 'at 3', position: 3 };
      });
      await started.until(1);
      await fast.read('ryw:monotonic', async () => ({ value: 'at 8', position: 8 }));
      await fast.idle();
      held.open();
      await slowRead;
      await slow.idle();
      expect(await fast.read('ryw:monotonic', async () => ({ value: 'reloaded' }))).toMatchObject({
        value: 'at 8',
        position: '8',
        source: 'cache',
      });
    });
  });
});
