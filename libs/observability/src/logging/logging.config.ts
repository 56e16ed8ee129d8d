import { defineConfig } from '@analytics/config';
import { IsBoolean, IsIn } from 'class-validator';
import { Transform } from 'class-transformer';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

class LoggingEnv {
  @IsIn(LEVELS)
  LOG_LEVEL: (typeof LEVELS)[number] = 'info';

  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  LOG_PRETTY = false;
}

export interface LoggingConfig {
  /** Env `LOG_LEVEL`, default `info`. */
  level: (typeof LEVELS)[number];
  /** Env `LOG_PRETTY`: human-readable lines instead of JSON. Default false. */
  pretty: boolean;
}

/** Config namespace `logging`. */
export const loggingConfig = defineConfig('logging', LoggingEnv, (env): LoggingConfig => ({
  level: env.LOG_LEVEL,
  pretty: env.LOG_PRETTY,
}));
