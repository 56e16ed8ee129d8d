import { Queryable } from '@analytics/persistence';

export interface LedgerRetentionOptions {
  /** A ledger row applied longer ago than this may be pruned. */
  retentionHours: number;
  /** Rows per DELETE statement. */
  batchSize: number;
}

export interface LedgerPruneResult {
  /** Ledger rows deleted by this sweep. */
  deleted: number;
  /** The horizon after it: positions at or below it count as applied (0: nothing pruned yet). */
  prunedThrough: string;
}

/**
 * Keeps the ledger of applied events bounded: without this it grows by one row per event for ever.
 *
 * Exactly-once does not need the old rows: per-stream versions make a redelivered event a no-op
 * (the ledger only tells a 'duplicate' from a 'stale' one). Read-your-writes does ask the ledger
 * whether a position is applied, so rows are pruned from the LOWEST position up and the horizon
 * records how far: a position at or below it counts as applied (AppliedPositionWaiter). Each batch
 * deletes the lowest positions up to, not including, the first one applied within the retention;
 * rows at or below the horizon (an event applied late, e.g. a retried dead letter) go whatever
 * their age, so that they never hold the sweep back.
 *
 * What this gives up: an event that had not reached the read model when every later position was
 * older than the retention (a dead letter left open for that long, say) counts as applied to
 * read-your-writes. The dead-letter and lag metrics report such an event long before.
 *
 * Replicas may sweep at once: a row deleted under another sweep is counted once, and the horizon
 * only moves up.
 */
export async function pruneLedger(db: Queryable, options: LedgerRetentionOptions): Promise<LedgerPruneResult> {
  let deleted = 0;
  for (;;) {
    const [batch] = (await db.query(
      `WITH horizon AS (
         SELECT coalesce(max(pruned_through), 0) AS position FROM read_model.ledger_horizon
       ), head AS (
         SELECT position, applied_at FROM read_model.applied_events ORDER BY position LIMIT $1
       ), first_kept AS (
         SELECT min(position) AS position FROM head
          WHERE applied_at >= now() - make_interval(hours => $2) AND position > (SELECT position FROM horizon)
       ), deleted AS (
         DELETE FROM read_model.applied_events WHERE position = ANY (ARRAY(
           SELECT position FROM head
            WHERE position < coalesce((SELECT position FROM first_kept), 9223372036854775807)))
         RETURNING position
       ), moved AS (
         INSERT INTO read_model.ledger_horizon (id, pruned_through, pruned_at)
         SELECT 1, max(position), now() FROM deleted HAVING count(*) > 0
         ON CONFLICT (id) DO UPDATE
           SET pruned_through = GREATEST(ledger_horizon.pruned_through, EXCLUDED.pruned_through), pruned_at = now()
         RETURNING pruned_through
       )
       SELECT (SELECT count(*)::int FROM deleted) AS deleted,
              coalesce((SELECT pruned_through FROM moved), (SELECT position FROM horizon))::text AS pruned_through`,
      [options.batchSize, options.retentionHours],
    )) as { deleted: number; pruned_through: string }[];
    deleted += batch.deleted;
    if (batch.deleted < options.batchSize) return { deleted, prunedThrough: batch.pruned_through };
  }
}
