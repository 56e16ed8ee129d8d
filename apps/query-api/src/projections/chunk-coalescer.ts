/** How a ChunkCoalescer may group chunks. */
export interface CoalescerLimits {
  /** Items of one call at most (a chunk is never split: one bigger chunk still goes alone). */
  maxItems: number;
  /** Calls in progress at once. */
  maxConcurrent: number;
}

interface Submission<Item, Result> {
  items: Item[];
  resolve(results: Result[]): void;
  reject(error: unknown): void;
}

/**
 * Hands the chunks that several submitters hand in at about the same time to ONE call of `apply`,
 * and gives each submitter back its own slice of the results (or the call's error).
 *
 * For the projections: the partitions of one Kafka fetch each hand in their messages in the same
 * turn of the event loop. Applied together they cost one transaction instead of one per
 * partition, which under a steady load (a few messages per partition per fetch) is most of what
 * applying them costs, and shortens the fetch cycle that every new message waits for.
 */
export class ChunkCoalescer<Item, Result> {
  private readonly queue: Submission<Item, Result>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly apply: (items: Item[]) => Promise<Result[]>,
    private readonly limits: CoalescerLimits,
  ) {}

  /** Resolves with one result per item, in order, once the call that took them has finished. */
  submit(items: Item[]): Promise<Result[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<Result[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the current turn: the other submitters of this turn are queued by then.
      setImmediate(() => {
        this.scheduled = false;
        this.startCalls();
      });
    });
  }

  private startCalls(): void {
    while (this.running < this.limits.maxConcurrent && this.queue.length > 0) {
      const taken = [this.queue.shift()!];
      let size = taken[0].items.length;
      while (this.queue.length > 0 && size + this.queue[0].items.length <= this.limits.maxItems) {
        const next = this.queue.shift()!;
        size += next.items.length;
        taken.push(next);
      }
      this.running++;
      void this.call(taken);
    }
  }

  private async call(taken: Submission<Item, Result>[]): Promise<void> {
    try {
      const results = await this.apply(taken.flatMap((submission) => submission.items));
      let offset = 0;
      for (const submission of taken) {
        submission.resolve(results.slice(offset, offset + submission.items.length));
        offset += submission.items.length;
      }
    } catch (error) {
      for (const submission of taken) submission.reject(error);
    } finally {
      this.running--;
      this.startCalls();
    }
  }
}
