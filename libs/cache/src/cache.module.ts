import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import Redis from 'ioredis';
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

/** The app's ioredis client (injectable as `Redis`) and its readiness check. */
@Module({})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(Redis) private readonly redis: Redis) {}

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
        RedisHealthIndicator,
      ],
      exports: [Redis, RedisHealthIndicator],
    };
  }

  onApplicationShutdown() {
    this.redis.disconnect();
  }
}
