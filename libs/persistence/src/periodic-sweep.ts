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
