import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsInt, Max, Min } from 'class-validator';

class ConsistencyEnv {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  READ_YOUR_WRITES_TIMEOUT_MS = 2_000;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  READ_YOUR_WRITES_MAX_WAIT_MS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  READ_YOUR_WRITES_POLL_MS = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  READ_YOUR_WRITES_MAX_WAITERS = 10_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PROJECTIONS_STALL_SECONDS = 30;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PROJECTIONS_LAG_INTERVAL_MS = 5_000;
}

export interface ConsistencyConfig {
  /** Env `READ_YOUR_WRITES_TIMEOUT_MS` (2000): how long `X-Min-Position` waits unless `X-Max-Wait-Ms` says otherwise. */
  timeoutMs: number;
  /** Env `READ_YOUR_WRITES_MAX_WAIT_MS` (10000): cap on any wait, whatever `X-Max-Wait-Ms` asks. */
  maxWaitMs: number;
  /** Env `READ_YOUR_WRITES_POLL_MS` (20): how often the ledger is checked for the positions requests wait for. */
  pollMs: number;
  /** Env `READ_YOUR_WRITES_MAX_WAITERS` (10000): waiting requests beyond this answer `stale` at once (no unbounded queue). */
  maxWaiters: number;
  /** Env `PROJECTIONS_STALL_SECONDS` (30): no progress for this long while lag > 0 is a stalled consumer. */
  stallAfterMs: number;
  /** Env `PROJECTIONS_LAG_INTERVAL_MS` (5000): how often the lag (high watermarks vs checkpoints) is measured. */
  lagIntervalMs: number;
}

/** Config namespace `consistency`: read-your-writes and projection lag/stall detection. */
export const consistencyConfig = defineConfig('consistency', ConsistencyEnv, (env): ConsistencyConfig => ({
  timeoutMs: env.READ_YOUR_WRITES_TIMEOUT_MS,
  maxWaitMs: env.READ_YOUR_WRITES_MAX_WAIT_MS,
  pollMs: env.READ_YOUR_WRITES_POLL_MS,
  maxWaiters: env.READ_YOUR_WRITES_MAX_WAITERS,
  stallAfterMs: env.PROJECTIONS_STALL_SECONDS * 1_000,
  lagIntervalMs: env.PROJECTIONS_LAG_INTERVAL_MS,
}));
