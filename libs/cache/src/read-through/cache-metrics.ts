import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How one cache request was answered. */
export type CacheResult = 'hit' | 'miss' | 'bypass' | 'error';

/**
 * The cache's metrics on an app's registry, labelled by cache name. Hit ratio:
 * `sum(rate(cache_requests_total{result="hit"}[5m])) / sum(rate(cache_requests_total[5m]))`.
 */
export class CacheMetrics {
  /** Requests by how they were answered (requests sharing one load count once each). */
  readonly requests: Counter<'cache' | 'result'>;
  /** Loader calls (database queries) and their duration. */
  readonly loadDuration: Histogram<'cache'>;
  /** Values not stored because the key was invalidated while they loaded (stale writes prevented). */
  readonly writesRefused: Counter<'cache'>;
  /** Invalidations Redis did not acknowledge; they are retried in the background. */
  readonly invalidationFailures: Counter<'cache'>;
  /** 1 while the circuit to Redis is open (requests go straight to the database). */
  readonly circuitOpen: Gauge<'cache'>;

  private constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'cache_requests_total',
      help: 'Cache requests by result: hit (from Redis), miss (loaded), bypass (Redis skipped: circuit open), error (Redis failed or timed out; loaded)',
      labelNames: ['cache', 'result'],
      registers: [registry],
    });
    this.loadDuration = new Histogram({
      name: 'cache_load_duration_seconds',
      help: 'Duration of the loads (database queries) behind the cache',
      labelNames: ['cache'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.writesRefused = new Counter({
      name: 'cache_stale_writes_refused_total',
      help: 'Loaded values not stored because the key was invalidated while they were loading',
      labelNames: ['cache'],
      registers: [registry],
    });
    this.invalidationFailures = new Counter({
      name: 'cache_invalidation_failures_total',
      help: 'Invalidations Redis did not acknowledge (retried in the background)',
      labelNames: ['cache'],
      registers: [registry],
    });
    this.circuitOpen = new Gauge({
      name: 'cache_circuit_open',
      help: '1 while the cache skips Redis after repeated failures',
      labelNames: ['cache'],
      registers: [registry],
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, CacheMetrics>();

  /** The metrics on this registry, registered on first use (any number of caches share them). */
  static on(registry: Registry): CacheMetrics {
    let metrics = CacheMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new CacheMetrics(registry);
      CacheMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
