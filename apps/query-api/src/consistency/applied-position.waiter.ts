import { Logger } from '@nestjs/common';

/** Anything that runs a parameterised query (a DataSource, a query runner). */
export interface LedgerQueryable {
  query(sql: string, params?: unknown[]): Promise<{ position: string }[]>;
}

interface Waiter {
  resolve(applied: boolean): void;
  timer?: NodeJS.Timeout;
}

/**
 * Read-your-writes: waits until an event position is APPLIED, i.e. the event with that position is
 * in the ledger `read_model.applied_events`, or at or below the ledger's retention horizon (its row
 * pruned, see ledger-retention.ts). Its stream is then applied up to it (per-stream order), which
 * is what a client that wrote it needs; nothing is claimed about other streams (positions are
 * global and partitions are applied out of order, so "every position <= P applied" is not cheaply
 * knowable).
 *
 * All waiting requests share ONE poll: every `pollMs` a single indexed query asks the ledger which
 * of the awaited positions are there (`wake()` runs it at once, e.g. after a local projection
 * commit). Waiters beyond `maxWaiters` are not queued: they are answered "not applied" at once.
 */
export class AppliedPositionWaiter {
  private readonly logger = new Logger(AppliedPositionWaiter.name);
  private readonly waiters = new Map<string, Set<Waiter>>();
  private waiting = 0;
  private polling = false;
  private again = false;
  private timer?: NodeJS.Timeout;
  private failing = false;
  private closed = false;

  constructor(
    private readonly db: LedgerQueryable,
    private readonly options: { pollMs: number; maxWaiters: number },
  ) {}

  /** True as soon as `position` is applied, false if it is not within `timeoutMs`. */
  waitFor(position: string, timeoutMs: number): Promise<boolean> {
    if (this.closed || this.waiting >= this.options.maxWaiters) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const set = this.waiters.get(position) ?? new Set<Waiter>();
      this.waiters.set(position, set);
      const waiter: Waiter = {
        resolve: (applied) => {
          if (!set.delete(waiter)) return;
          this.waiting--;
          if (set.size === 0 && this.waiters.get(position) === set) this.waiters.delete(position);
          clearTimeout(waiter.timer);
          resolve(applied);
        },
      };
      set.add(waiter);
      this.waiting++;
      // The first check is made at once; a zero wait is answered by that check alone.
      const first = this.poll();
      if (timeoutMs <= 0) void first.finally(() => waiter.resolve(false));
      else waiter.timer = setTimeout(() => waiter.resolve(false), timeoutMs);
    });
  }

  /** Checks the ledger now (coalesced with a check already under way). */
  wake(): void {
    if (this.waiters.size > 0) void this.poll();
  }

  /**
   * A transaction of this process has committed these positions: their waiters are answered at
   * once, without asking the ledger; the others are checked now (another instance may have
   * applied theirs).
   */
  applied(positions: readonly string[]): void {
    for (const position of positions) {
      for (const waiter of [...(this.waiters.get(position) ?? [])]) waiter.resolve(true);
    }
    this.wake();
  }

  /** Requests currently waiting. */
  get pending(): number {
    return this.waiting;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.resolve(false);
  }

  private async poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.current;
    }
    this.polling = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.current = this.checkLoop();
    return this.current;
  }

  private current: Promise<void> = Promise.resolve();

  private async checkLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        const positions = [...this.waiters.keys()];
        if (positions.length === 0) break;
        try {
          const rows = await this.db.query(
            `SELECT p::text AS position FROM unnest($1::bigint[]) AS p
              WHERE p <= (SELECT coalesce(max(pruned_through), 0) FROM read_model.ledger_horizon)
                 OR EXISTS (SELECT 1 FROM read_model.applied_events a WHERE a.position = p)`,
            [positions],
          );
          if (this.failing) this.logger.log('Applied-position checks answering again');
          this.failing = false;
          for (const { position } of rows) {
            for (const waiter of [...(this.waiters.get(position) ?? [])]) waiter.resolve(true);
          }
        } catch (error) {
          if (!this.failing) this.logger.warn(`Applied-position check failed: ${(error as Error).message}`);
          this.failing = true;
        }
      } while (this.again);
    } finally {
      this.polling = false;
      if (this.waiters.size > 0 && !this.closed) {
        this.timer = setTimeout(() => void this.poll(), this.options.pollMs);
        this.timer.unref();
      }
    }
  }
}
