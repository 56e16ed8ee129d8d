import { Queryable } from '@analytics/persistence';

/** Rows one sweep deleted, per table. */
export interface SweepResult {
  idempotencyRecords: number;
  outboxRows: number;
}

export interface SweepOptions {
  /** A published outbox row older than this is deleted. */
  outboxRetentionHours: number;
  /** Rows per DELETE statement. */
  batchSize: number;
}

/**
 * Keeps the write side's two bookkeeping tables bounded; without it both grow with every command.
 * - An idempotency record past `expires_at` no longer answers repeats (`storedResponse` deletes it
 *   and the command runs again), so deleting it sooner changes nothing a client can see.
 * - A published outbox row has done its job: the relay only reads unpublished rows, and the event
 *   itself stays in the event store. Unpublished rows, parked or not, are never touched.
 *
 * Deletes run in batches of `batchSize`, each its own statement, and skip rows another sweep (of
 * another instance) holds: replicas can all sweep without waiting on one another. Each batch is
 * picked through an index (`expires_at`, `ix_outbox_published_at`) and deleted by key with
 * `= ANY (ARRAY(...))`: with `IN (subquery)` Postgres may hash-join the batch against a scan of
 * the whole table, every minute.
 */
export async function sweepRetention(db: Queryable, options: SweepOptions): Promise<SweepResult> {
  return {
    idempotencyRecords: await deleteInBatches(
      db,
      `DELETE FROM idempotency_records WHERE key = ANY (ARRAY(
         SELECT key FROM idempotency_records WHERE expires_at < now()
          ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      [options.batchSize],
      options.batchSize,
    ),
    outboxRows: await deleteInBatches(
      db,
      `DELETE FROM outbox WHERE id = ANY (ARRAY(
         SELECT id FROM outbox WHERE published_at < now() - make_interval(hours => $2)
          ORDER BY published_at LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      [options.batchSize, options.outboxRetentionHours],
      options.batchSize,
    ),
  };
}

async function deleteInBatches(db: Queryable, sql: string, parameters: unknown[], batchSize: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [, count] = (await db.query(sql, parameters)) as [unknown[], number];
    deleted += count;
    if (count < batchSize) return deleted;
  }
}
