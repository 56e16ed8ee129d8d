/** One measurement of the projections: messages behind, and a number that grows with any progress. */
export interface LagSample {
  /** Messages not yet applied, over all partitions (high watermark - checkpoint). */
  lag: number;
  /** Sum of the partitions' checkpoints: any applied message moves it. */
  progress: bigint;
}

export interface StallState {
  stalled: boolean;
  lag: number;
  /** Milliseconds since the checkpoints last moved, or since the lag became non-zero. */
  idleMs: number;
}

/**
 * A consumer is STALLED when it has made no progress for `stallAfterMs` while messages wait
 * (lag > 0). Caught up (lag 0) is never a stall, however long nothing happens; a slow consumer
 * that still moves is not one either. Pure: the clock is injected.
 */
export class StallDetector {
  private progress?: bigint;
  private since: number;

  constructor(
    private readonly stallAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  observe(sample: LagSample): StallState {
    const now = this.now();
    if (this.progress === undefined || sample.progress !== this.progress || sample.lag === 0) {
      this.since = now;
    }
    this.progress = sample.progress;
    const idleMs = now - this.since;
    return { stalled: sample.lag > 0 && idleMs >= this.stallAfterMs, lag: sample.lag, idleMs };
  }
}
