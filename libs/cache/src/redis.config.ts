import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsInt, Matches, Max, Min } from 'class-validator';

class RedisEnv {
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  CACHE_TTL_SECONDS = 300;
}

export interface RedisConfig {
  /** Env `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  url: string;
  /** Env `CACHE_TTL_SECONDS`, default 300. */
  ttlSeconds: number;
}

/** Config namespace `redis`. */
export const redisConfig = defineConfig('redis', RedisEnv, (env): RedisConfig => ({
  url: env.REDIS_URL,
  ttlSeconds: env.CACHE_TTL_SECONDS,
}));
