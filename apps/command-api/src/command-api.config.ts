import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsInt, Max, Min } from 'class-validator';

class CommandApiEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  COMMAND_API_PORT = 3001;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  HTTP_BODY_LIMIT_BYTES = 256 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(30 * 86_400)
  IDEMPOTENCY_TTL_SECONDS = 86_400;
}

export interface CommandApiConfig {
  /** Env `COMMAND_API_PORT`, default 3001. */
  port: number;
  /** Env `HTTP_BODY_LIMIT_BYTES`, default 262144 (256 KiB); larger bodies get 413. */
  bodyLimitBytes: number;
  /** Env `IDEMPOTENCY_TTL_SECONDS`: how long a response is kept for repeats. Default 86400 (24 h). */
  idempotencyTtlSeconds: number;
}

/** Config namespace `commandApi`. */
export const commandApiConfig = defineConfig('commandApi', CommandApiEnv, (env): CommandApiConfig => ({
  port: env.COMMAND_API_PORT,
  bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
  idempotencyTtlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
}));
