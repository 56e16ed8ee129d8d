import { Queryable } from '../queryable';

/**
 * How time-series tables are stored in this database.
 * - `timescaledb`: the extension is installed: hypertables, continuous aggregates, compression
 *   and retention policies run inside Postgres.
 * - `native-partitioning`: plain PostgreSQL: range partitions per chunk interval, created ahead
 *   and dropped for retention by our own maintenance.
 */
export type TimeSeriesMode = 'timescaledb' | 'native-partitioning';

/** Reports the mode of the database behind `db` (by looking, never by assuming). */
export async function detectTimeSeriesMode(db: Queryable): Promise<TimeSeriesMode> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  return rows.length > 0 ? 'timescaledb' : 'native-partitioning';
}

/**
 * Installs TimescaleDB when the server offers it, and reports the resulting mode.
 * Used by the first migration; a server without the extension is not an error.
 */
export async function enableTimescaleIfAvailable(db: Queryable): Promise<TimeSeriesMode> {
  const available: unknown[] = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  if (available.length > 0) {
    await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  }
  return detectTimeSeriesMode(db);
}
