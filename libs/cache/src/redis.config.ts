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

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5_000)
  CACHE_REDIS_TIMEOUT_MS = 100;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  CACHE_BREAKER_FAILURES = 5;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  CACHE_BREAKER_COOLDOWN_MS = 1_000;
}

export interface RedisConfig {
  /** Env `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  url: string;
  /** Env `CACHE_TTL_SECONDS`, default 300. */
  ttlSeconds: number;
  /** Env `CACHE_REDIS_TIMEOUT_MS`, default 100: bound on each cache call to Redis (then the database answers). */
  timeoutMs: number;
  /** Env `CACHE_BREAKER_FAILURES`, default 5: consecutive Redis failures after which the cache skips Redis. */
  breakerFailures: number;
  /** Env `CACHE_BREAKER_COOLDOWN_MS`, default 1000: how long Redis is skipped before it is probed again. */
  breakerCooldownMs: number;
}

/** Config namespace `redis`. */
export const redisConfig = defineConfig('redis', RedisEnv, (env): RedisConfig => ({
  url: env.REDIS_URL,
  ttlSeconds: env.CACHE_TTL_SECONDS,
  timeoutMs: env.CACHE_REDIS_TIMEOUT_MS,
  breakerFailures: env.CACHE_BREAKER_FAILURES,
  breakerCooldownMs: env.CACHE_BREAKER_COOLDOWN_MS,
}));
