import { Queryable } from '@analytics/persistence';

/**
 * Advisory lock keys of the rebuild (per database; arbitrary constants, chosen once).
 *
 * - REBUILD_MUTEX_KEY: held (session lock) by the one running rebuild, from start to end. A second
 *   rebuild that cannot take it is refused (409 / exit code 2). It goes with the session, so a
 *   killed rebuild never leaves it behind.
 * - SWITCH_LOCK_KEY: every write transaction of the live projection engine takes it in SHARED mode
 *   as its first statement; the rebuild takes it in EXCLUSIVE mode (transaction lock) to pause the
 *   live engine between its transactions while it checks the new schema is complete and swaps it
 *   in. A live transaction that waited on it then runs entirely against the new schema.
 */
export const REBUILD_MUTEX_KEY = '7305119021178530301';
export const SWITCH_LOCK_KEY = '7305119021178530302';

/** Shared mode, until the caller's transaction ends (the live engine's pause point). */
export async function holdSwitchLockShared(tx: Queryable): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock_shared($1::bigint)`, [SWITCH_LOCK_KEY]);
}
