/** A sweep that runs on a timer (see `schedulePeriodicSweep`). */
export interface PeriodicSweep {
  /** Clears the timer and waits for a sweep under way to end. */
  stop(): Promise<void>;
}

/**
 * Runs `sweep` every `intervalMs`, never two at once (a tick while one runs is passed over). A
 * sweep that fails (the database away, say) is reported to `log.warn` and tried again at the next
 * tick: it never stops the app.
 */
export function schedulePeriodicSweep(
  intervalMs: number,
  sweep: () => Promise<void>,
  log: { warn(message: string): void },
): PeriodicSweep {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((error) => log.warn(`retention sweep failed, tried again in ${intervalMs} ms: ${String(error)}`))
      .finally(() => (running = undefined));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
