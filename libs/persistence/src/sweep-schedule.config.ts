import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/**
 * The environment of an app's retention sweeps (extended by each app's retention config):
 * `RETENTION_SWEEP_INTERVAL_MS`, the time between two sweeps (a minute), and
 * `RETENTION_BATCH_SIZE`, the rows per DELETE (5000), so that a sweep never holds many locks at once.
 */
export class SweepScheduleEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  RETENTION_SWEEP_INTERVAL_MS = 60_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  RETENTION_BATCH_SIZE = 5_000;
}
