import { defineConfig } from '@analytics/config';
import { SweepScheduleEnv } from '@analytics/persistence';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

class LedgerRetentionEnv extends SweepScheduleEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(87_600)
  LEDGER_RETENTION_HOURS = 168;
}

export interface LedgerRetentionConfig {
  /**
   * Env `LEDGER_RETENTION_HOURS`: how long a row of the applied-events ledger is kept (168, a
   * week). A read-your-writes position older than that counts as applied (see ledger-retention.ts).
   */
  retentionHours: number;
  /** Env `RETENTION_SWEEP_INTERVAL_MS`: time between two sweeps. Default 60000 (a minute). */
  sweepIntervalMs: number;
  /** Env `RETENTION_BATCH_SIZE`: rows per DELETE, so that a sweep never holds many locks at once. Default 5000. */
  batchSize: number;
}

/** Config namespace `ledgerRetention`. */
export const ledgerRetentionConfig = defineConfig(
  'ledgerRetention',
  LedgerRetentionEnv,
  (env): LedgerRetentionConfig => ({
    retentionHours: env.LEDGER_RETENTION_HOURS,
    sweepIntervalMs: env.RETENTION_SWEEP_INTERVAL_MS,
    batchSize: env.RETENTION_BATCH_SIZE,
  }),
);
