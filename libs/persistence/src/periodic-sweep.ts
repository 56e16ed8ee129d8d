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

/** A sweep that runs on a timer (see `schedulePeriodicSweep`). */
export interface PeriodicSweep {
  /** Clears the timer and waits for a sweep under way to end. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs`, never two at once (a tick while one runs is passed over). The
 * sweep handles its own errors: one that throws is simply tried again at the next tick.
 */
export function schedulePeriodicSweep(intervalMs: number, sweep: () => Promise<void>): PeriodicSweep {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= sweep()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
