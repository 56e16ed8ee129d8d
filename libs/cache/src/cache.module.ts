import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { CacheMetrics, ReadThroughCache } from './read-through';
import { redisConfig, RedisConfig } from './redis.config';
import { RedisHealthIndicator } from './redis.health';

/** ioredis reconnects on its own; say so once per outage instead of on every retry. */
function reportConnectionErrors(redis: Redis) {
  const logger = new Logger('Redis');
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn(`Redis unavailable, retrying: ${error.message}`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.log('Redis available again');
    down = false;
  });
}

/**
 * The app's ioredis client (injectable as `Redis`), its readiness check, and the app's
 * `ReadThroughCache` (keys under `cache:<app>:`, metrics on the app's Registry when there is one).
 */
@Module({})
export class CacheModule implements OnApplicationShutdown {
  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ReadThroughCache) private readonly cache: ReadThroughCache,
  ) {}

  static forRoot(options: { app: string }): DynamicModule {
    return {
      module: CacheModule,
      // One client per app, used by any feature module: registered globally like TypeORM's data source.
      global: true,
      imports: [TerminusModule, ConfigModule.forFeature(redisConfig)],
      providers: [
        {
          provide: Redis,
          inject: [redisConfig.KEY],
          useFactory: (config: RedisConfig) => {
            const redis = new Redis(config.url, {
              connectionName: options.app,
              // Fail fast while Redis is away: callers fall back to Postgres rather than queue.
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              connectTimeout: 2_000,
            });
            reportConnectionErrors(redis);
            return redis;
          },
        },
        {
          provide: ReadThroughCache,
          inject: [Redis, redisConfig.KEY, { token: Registry, optional: true }],
          useFactory: (redis: Redis, config: RedisConfig, registry?: Registry) =>
            new ReadThroughCache(redis, {
              name: 'queries',
              keyPrefix: `cache:${options.app}:`,
              ttlSeconds: config.ttlSeconds,
              redisTimeoutMs: config.timeoutMs,
              breakerFailureThreshold: config.breakerFailures,
              breakerCooldownMs: config.breakerCooldownMs,
              metrics: registry ? CacheMetrics.on(registry) : undefined,
            }),
        },
        RedisHealthIndicator,
      ],
      exports: [Redis, ReadThroughCache, RedisHealthIndicator],
    };
  }

  onApplicationShutdown() {
    this.cache.close();
    this.redis.disconnect();
  }
}
