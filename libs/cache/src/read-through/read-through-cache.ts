import { parseJson } from '@analytics/json';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { interpretRead, READ_SCRIPT, ReadOutcome, ReadReply, WRITE_SCRIPT } from './cache-scripts';
import { CacheMetrics, CacheResult } from './cache-metrics';
import { CircuitBreaker, CircuitState } from './circuit-breaker';
import { normalizePosition, Position, satisfiesMinimum } from './positions';

export interface ReadThroughCacheOptions {
  /** Names the cache in metrics (`cache` label) and, by default, in its Redis keys. */
  name: string;
  /** Prefix of every Redis key of this cache; default `cache:<name>:`. */
  keyPrefix?: string;
  /** Entry lifetime unless a request says otherwise. */
  ttlSeconds: number;
  /** Bound on every Redis call; past it the request is answered by the loader. Default 100 ms. */
  redisTimeoutMs?: number;
  /** Consecutive Redis failures after which Redis is skipped for `breakerCooldownMs`. Default 5. */
  breakerFailureThreshold?: number;
  /** How long Redis is skipped before one probe request tries it again. Default 1000 ms. */
  breakerCooldownMs?: number;
  /** Redis calls awaiting an answer beyond which requests skip Redis (no unbounded queue). Default 1000. */
  maxPendingRedisCalls?: number;
  /** Failed invalidations kept for retry; beyond this they are dropped (and logged). Default 10 000. */
  maxPendingInvalidations?: number;
  /** Metrics to report to; none when omitted. */
  metrics?: CacheMetrics;
  /** Milliseconds clock for the circuit breaker; injectable for tests. */
  now?: () => number;
}

export interface CacheGetOptions {
  /**
   * The list namespace the key belongs to (e.g. every page of one listing): `invalidateNamespace`
   * then invalidates all its keys at once. A key must always be used with the same namespace.
   */
  namespace?: string;
  /**
   * Read-your-writes: a cached entry is served only if it reflects at least this position; an
   * entry with a lower or unknown watermark is loaded again (and replaced).
   */
  minPosition?: Position;
  /** Overrides the cache's TTL for the entry this request stores. */
  ttlSeconds?: number;
}

/** What a loader returns: the value, and the read-model position it reflects when known. */
export interface Loaded<T> {
  /** Stored as JSON; `undefined` is returned but not cached. */
  value: T;
  /** The watermark: the position the read model had applied when the value was read (read it in the same transaction, or before the query). */
  position?: Position;
}

/** The answer to a request. Shared between concurrent requests of a key: treat `value` as read-only. */
export interface CacheRead<T> {
  value: T;
  /** The watermark of the value (decimal string), when known. */
  position?: string;
  source: 'cache' | 'loader';
}

/** `CacheRead` with the value as JSON text (see `readJson`). */
export interface CacheJsonRead<T> extends CacheRead<T> {
  /** `JSON.stringify(value)`; on a hit the text Redis held. Undefined when the value is. */
  json?: string;
}

interface FlightAnswer {
  result: CacheResult;
  read: CacheRead<unknown>;
  /** On a hit, the entry's JSON text (it parsed: that is `read.value`). */
  json?: string;
  /** The background store of a loaded value, when one was attempted. */
  write?: Promise<void>;
}

interface Flight {
  namespace?: string;
  answer: Promise<FlightAnswer>;
}

type Attempt<R> = { ok: true; value: R } | { ok: false; reason: 'bypass' | 'error' };

interface ScriptedRedis {
  readThroughCacheRead(...args: (string | number)[]): Promise<ReadReply>;
  readThroughCacheWrite(...args: (string | number)[]): Promise<number>;
}

/** How many requests of one key may find the shared load too old for them before starting their own. */
const MAX_JOINS = 3;
const INVALIDATION_BATCH = 500;

/**
 * Redis cache-aside over a loader (the database), safe under concurrency and outages:
 *
 * - Invalidation cannot be undone by a slow reader: a reader takes the key's (and namespace's)
 *   generation token before it loads and stores its value only if the tokens are unchanged, in one
 *   Lua script; invalidation deletes the tokens (see cache-scripts.ts).
 * - Read-your-writes: each entry carries the position it reflects; `minPosition` refuses older ones.
 * - Single flight: concurrent requests of a key in this process share one Redis round trip and one load.
 * - Redis slow or away: every call is bounded by `redisTimeoutMs`, and a circuit breaker skips Redis
 *   after repeated failures, probing again after a cool-down; requests are then answered by the
 *   loader directly. Failed invalidations are retried in the background, and meanwhile this process
 *   does not use the affected entries.
 */
export class ReadThroughCache {
  private readonly logger: Logger;
  private readonly redis: Redis & ScriptedRedis;
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly timeoutMs: number;
  private readonly maxPendingRedisCalls: number;
  private readonly maxPendingInvalidations: number;
  private readonly breaker: CircuitBreaker;
  private readonly metrics?: CacheMetrics;
  private readonly flights = new Map<string, Flight>();
  private readonly writes = new Set<Promise<void>>();
  private readonly pendingInvalidations = new Set<string>();
  private retryTimer?: NodeJS.Timeout;
  private pendingRedisCalls = 0;
  private closed = false;
  private lastFailure = '';
  private reportedOpen = false;

  constructor(
    redis: Redis,
    private readonly options: ReadThroughCacheOptions,
  ) {
    this.logger = new Logger(`ReadThroughCache:${options.name}`);
    this.prefix = options.keyPrefix ?? `cache:${options.name}:`;
    this.ttlSeconds = options.ttlSeconds;
    this.timeoutMs = options.redisTimeoutMs ?? 100;
    this.maxPendingRedisCalls = options.maxPendingRedisCalls ?? 1_000;
    this.maxPendingInvalidations = options.maxPendingInvalidations ?? 10_000;
    this.metrics = options.metrics;
    this.metrics?.circuitOpen.set({ cache: options.name }, 0);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold ?? 5,
      cooldownMs: options.breakerCooldownMs ?? 1_000,
      now: options.now,
      onStateChange: (state) => this.circuitChanged(state),
    });
    redis.defineCommand('readThroughCacheRead', { numberOfKeys: 3, lua: READ_SCRIPT });
    redis.defineCommand('readThroughCacheWrite', { numberOfKeys: 3, lua: WRITE_SCRIPT });
    this.redis = redis as Redis & ScriptedRedis;
  }

  /** The value of `key`: from Redis when a current entry is there, otherwise from `load` (then stored). */
  async get<T>(key: string, load: () => Promise<T>, options?: CacheGetOptions): Promise<T> {
    return (await this.read(key, async () => ({ value: await load() }), options)).value;
  }

  /** Like `get`, for loaders that report the position their value reflects; says where the value came from. */
  async read<T>(key: string, load: () => Promise<Loaded<T>>, options: CacheGetOptions = {}): Promise<CacheRead<T>> {
    return (await this.request(key, load, options)).read as CacheRead<T>;
  }

  /**
   * Like `read`, with the value as JSON text too: on a hit, the text Redis held as it is (written
   * by `JSON.stringify` of the loaded value and parsed again here, so valid JSON of this value),
   * so that an HTTP answer does not serialize again what was stored serialized.
   */
  async readJson<T>(
    key: string,
    load: () => Promise<Loaded<T>>,
    options: CacheGetOptions = {},
  ): Promise<CacheJsonRead<T>> {
    const answer = await this.request(key, load, options);
    return { ...(answer.read as CacheRead<T>), json: answer.json ?? JSON.stringify(answer.read.value) };
  }

  private async request(
    key: string,
    load: () => Promise<Loaded<unknown>>,
    options: CacheGetOptions,
  ): Promise<FlightAnswer> {
    const minPosition = options.minPosition === undefined ? undefined : normalizePosition(options.minPosition);
    const ttlSeconds = options.ttlSeconds ?? this.ttlSeconds;
    if (!(ttlSeconds > 0)) throw new Error(`Cache TTL must be positive, got ${ttlSeconds}`);

    // Join a request of the same key already under way, unless its answer is older than this one needs.
    let tooOld: Flight | undefined;
    for (let joins = 0; joins < MAX_JOINS; joins++) {
      const flight = this.flights.get(key);
      if (!flight || flight === tooOld || flight.namespace !== options.namespace) break;
      const answer = await flight.answer;
      if (satisfiesMinimum(answer.read.position, minPosition)) return this.answered(answer);
      tooOld = flight;
    }

    const answer = this.fly(key, options.namespace, load, minPosition, ttlSeconds * 1_000);
    const flight: Flight = { namespace: options.namespace, answer };
    this.flights.set(key, flight);
    // Kept until the loaded value is stored, so requests meanwhile share it instead of loading again.
    const forget = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    answer.then((settled) => settled.write, forget).then(forget, forget);
    return this.answered(await answer);
  }

  /** Invalidates one key: call it after the transaction that changed what the key shows has committed. */
  invalidate(key: string): Promise<boolean> {
    return this.invalidateAll({ keys: [key] });
  }

  /** Invalidates every key of a namespace (all pages of a listing) at once. */
  invalidateNamespace(namespace: string): Promise<boolean> {
    return this.invalidateAll({ namespaces: [namespace] });
  }

  /**
   * Invalidates keys and namespaces in one Redis call. Never throws: true when Redis acknowledged;
   * false when it could not (then retried in the background until it does; meanwhile this process
   * does not use those entries, and other processes serve them at most until their TTL or a request
   * with a later `minPosition`).
   */
  async invalidateAll(targets: { keys?: string[]; namespaces?: string[] }): Promise<boolean> {
    const keys = targets.keys ?? [];
    const namespaces = new Set(targets.namespaces ?? []);
    for (const key of keys) this.flights.delete(key);
    if (namespaces.size > 0) {
      for (const [key, flight] of this.flights) {
        if (flight.namespace !== undefined && namespaces.has(flight.namespace)) this.flights.delete(key);
      }
    }
    const redisKeys = [
      ...keys.flatMap((key) => [this.keyGeneration(key), this.entry(key)]),
      ...[...namespaces].map((namespace) => this.namespaceGeneration(namespace)),
    ];
    if (redisKeys.length === 0) return true;
    const deleted = await this.attempt(() => this.redis.del(...redisKeys));
    if (deleted.ok) return true;
    this.metrics?.invalidationFailures.inc({ cache: this.options.name });
    this.deferInvalidation(redisKeys);
    return false;
  }

  /** Resolves when the values loaded so far have been stored (or refused). */
  async idle(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  get circuitState(): CircuitState {
    return this.breaker.state;
  }

  /** Invalidations not yet acknowledged by Redis (Redis keys). */
  get pendingInvalidationCount(): number {
    return this.pendingInvalidations.size;
  }

  /** Stops retrying invalidations. Does not close the Redis client (not ours). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private answered(answer: FlightAnswer): FlightAnswer {
    this.metrics?.requests.inc({ cache: this.options.name, result: answer.result });
    return answer;
  }

  private async fly(
    key: string,
    namespace: string | undefined,
    load: () => Promise<Loaded<unknown>>,
    minPosition: string | undefined,
    ttlMs: number,
  ): Promise<FlightAnswer> {
    const keys = [
      this.keyGeneration(key),
      namespace === undefined ? this.keyGeneration(key) : this.namespaceGeneration(namespace),
      this.entry(key),
    ];
    let result: CacheResult;
    let tokens: ReadOutcome | undefined;
    if (this.pendingInvalidations.has(keys[0]) || (namespace !== undefined && this.pendingInvalidations.has(keys[1]))) {
      result = 'bypass';
    } else {
      const generationTtlMs = 2 * ttlMs + 60_000;
      const found = await this.attempt(() =>
        this.redis.readThroughCacheRead(
          ...keys,
          token(),
          token(),
          generationTtlMs,
          namespace === undefined ? '0' : '1',
        ),
      );
      if (found.ok) {
        tokens = interpretRead(found.value);
        const entry = tokens.entry;
        if (entry && satisfiesMinimum(entry.position, minPosition)) {
          const value = this.decode(entry.json);
          if (value.ok)
            return {
              result: 'hit',
              read: { value: value.value, position: entry.position, source: 'cache' },
              json: entry.json,
            };
        }
        result = 'miss';
      } else {
        result = found.reason;
      }
    }

    const loaded = await this.timedLoad(load);
    const position = loaded.position === undefined ? undefined : normalizePosition(loaded.position);
    const read: CacheRead<unknown> = { value: loaded.value, position, source: 'loader' };
    const write =
      tokens && loaded.value !== undefined
        ? this.track(this.store(keys, namespace !== undefined, tokens, position, loaded.value, ttlMs))
        : undefined;
    return { result, read, write };
  }

  private async store(
    keys: string[],
    namespaced: boolean,
    tokens: ReadOutcome,
    position: string | undefined,
    value: unknown,
    ttlMs: number,
  ): Promise<void> {
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      this.logger.warn(`Not caching ${keys[2]}: ${describe(error)}`);
      return;
    }
    const stored = await this.attempt(() =>
      this.redis.readThroughCacheWrite(
        ...keys,
        tokens.keyToken,
        tokens.namespaceToken,
        namespaced ? '1' : '0',
        position ?? '',
        json,
        ttlMs,
        2 * ttlMs + 60_000,
      ),
    );
    if (stored.ok && stored.value === 0) this.metrics?.writesRefused.inc({ cache: this.options.name });
  }

  private async timedLoad(load: () => Promise<Loaded<unknown>>): Promise<Loaded<unknown>> {
    const stop = this.metrics?.loadDuration.startTimer({ cache: this.options.name });
    try {
      return await load();
    } finally {
      stop?.();
    }
  }

  private decode(json: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: parseJson(json) };
    } catch {
      return { ok: false };
    }
  }

  /** One Redis call, unless the circuit is open or too many calls already wait; bounded by the timeout. */
  private async attempt<R>(call: () => Promise<R>): Promise<Attempt<R>> {
    if (this.pendingRedisCalls >= this.maxPendingRedisCalls) return { ok: false, reason: 'bypass' };
    const permit = this.breaker.tryAcquire();
    if (!permit) return { ok: false, reason: 'bypass' };
    this.pendingRedisCalls++;
    let pending: Promise<R>;
    try {
      pending = call();
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Counted until Redis answers, not until we stop waiting: that is what bounds the client's queue.
    pending.then(
      () => this.pendingRedisCalls--,
      () => this.pendingRedisCalls--,
    );
    try {
      const value = await withTimeout(pending, this.timeoutMs);
      this.breaker.succeeded(permit);
      return { ok: true, value };
    } catch (error) {
      this.breaker.failed(permit);
      this.lastFailure = describe(error);
      return { ok: false, reason: 'error' };
    }
  }

  private circuitChanged(state: CircuitState): void {
    this.metrics?.circuitOpen.set({ cache: this.options.name }, state === 'closed' ? 0 : 1);
    if (state === 'open' && !this.reportedOpen) {
      this.reportedOpen = true;
      this.logger.warn(`Redis failing (${this.lastFailure}): answering from the database until it recovers`);
    } else if (state === 'closed' && this.reportedOpen) {
      this.reportedOpen = false;
      this.logger.log('Redis answering again: cache back in use');
    }
  }

  private deferInvalidation(redisKeys: string[]): void {
    for (const key of redisKeys) {
      if (this.pendingInvalidations.size >= this.maxPendingInvalidations && !this.pendingInvalidations.has(key)) {
        this.logger.error(
          `More than ${this.maxPendingInvalidations} invalidations waiting for Redis: dropping ${key}; it may be served until its TTL`,
        );
        continue;
      }
      this.pendingInvalidations.add(key);
    }
    this.scheduleInvalidationRetry();
  }

  private scheduleInvalidationRetry(): void {
    if (this.retryTimer || this.closed || this.pendingInvalidations.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryInvalidations().finally(() => this.scheduleInvalidationRetry());
    }, this.options.breakerCooldownMs ?? 1_000);
    this.retryTimer.unref();
  }

  private async retryInvalidations(): Promise<void> {
    while (this.pendingInvalidations.size > 0 && !this.closed) {
      const batch = [...this.pendingInvalidations].slice(0, INVALIDATION_BATCH);
      const deleted = await this.attempt(() => this.redis.del(...batch));
      if (!deleted.ok) return;
      for (const key of batch) this.pendingInvalidations.delete(key);
    }
  }

  private track(write: Promise<void>): Promise<void> {
    this.writes.add(write);
    const done = () => void this.writes.delete(write);
    write.then(done, done);
    return write;
  }

  private keyGeneration(key: string): string {
    return `${this.prefix}g:${key}`;
  }

  private namespaceGeneration(namespace: string): string {
    return `${this.prefix}n:${namespace}`;
  }

  private entry(key: string): string {
    return `${this.prefix}v:${key}`;
  }
}

/**
 * A fresh generation token. It only has to differ from every token a key ever had: a random prefix
 * drawn once per process (96 bits) and a counter. Two per request (used only when a token is
 * missing), so not two `randomBytes` calls per cache hit.
 */
const TOKEN_PREFIX = randomBytes(12).toString('base64url');
let tokenCount = 0;
function token(): string {
  return `${TOKEN_PREFIX}.${(tokenCount++).toString(36)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
