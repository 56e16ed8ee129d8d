import { defineConfig } from '@analytics/config';
import { SweepScheduleEnv } from '@analytics/persistence';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

class RetentionEnv extends SweepScheduleEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(87_600)
  OUTBOX_RETENTION_HOURS = 168;
}

export interface RetentionConfig {
  /** Env `RETENTION_SWEEP_INTERVAL_MS`: time between two sweeps. Default 60000 (a minute). */
  sweepIntervalMs: number;
  /**
   * Env `OUTBOX_RETENTION_HOURS`: how long a published outbox row is kept (for operators looking
   * at what was sent when) before it is deleted. The events themselves are never deleted. Default
   * 168 (a week).
   */
  outboxRetentionHours: number;
  /** Env `RETENTION_BATCH_SIZE`: rows per DELETE, so that a sweep never holds many locks at once. Default 5000. */
  batchSize: number;
}

/** Config namespace `retention`. */
export const retentionConfig = defineConfig('retention', RetentionEnv, (env): RetentionConfig => ({
  sweepIntervalMs: env.RETENTION_SWEEP_INTERVAL_MS,
  outboxRetentionHours: env.OUTBOX_RETENTION_HOURS,
  batchSize: env.RETENTION_BATCH_SIZE,
}));
