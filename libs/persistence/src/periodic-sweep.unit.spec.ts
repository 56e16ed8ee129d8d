import { schedulePeriodicSweep } from './periodic-sweep';

describe('schedulePeriodicSweep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes over ticks while a sweep runs, goes on after one fails, and stop() waits for the running one', async () => {
    const finishers: (() => void)[] = [];
    let started = 0;
    let failNext = true;
    const sweeps = schedulePeriodicSweep(
      1_000,
      () => {
        started++;
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('database away'));
        }
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
      { warn: () => undefined },
    );

    await jest.advanceTimersByTimeAsync(1_000); // first sweep fails
    await jest.advanceTimersByTimeAsync(1_000); // second starts and hangs
    await jest.advanceTimersByTimeAsync(3_000); // three ticks while it runs
    expect(started).toBe(2);

    let stopped = false;
    const stopping = sweeps.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    finishers[0]();
    await stopping;
    expect(started).toBe(2);
  });
});
