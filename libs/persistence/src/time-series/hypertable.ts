import { Queryable, quoteIdentifier } from '../queryable';
import { detectTimeSeriesMode, TimeSeriesMode } from './time-series-mode';

/** The catalog of time-series tables; native-partitioning maintenance reads it. */
export const TIME_SERIES_CATALOG = 'time_series_tables';

export interface HypertableSpec {
  /** Table name in `public` (lower-case identifier). */
  table: string;
  /** The `timestamptz NOT NULL` column data is partitioned by. */
  timeColumn: string;
  /**
   * Column and constraint definitions, as inside `CREATE TABLE t ( ... )`. Written by
   * migrations only. Every unique constraint must include the time column (both modes require it).
   */
  columns: string;
  /** Width of one chunk / partition, a Postgres interval such as `1 day`. */
  chunkInterval: string;
  /** Native mode: how many future partitions to create ahead of time. Default 7. */
  partitionsAhead?: number;
  /** Native mode: how many past partitions to create (for back-filled data). Default 1. */
  partitionsBehind?: number;
}

/**
 * Creates a time-series table the best way this database allows: a TimescaleDB hypertable when
 * the extension is installed, otherwise a natively range-partitioned table with a default
 * partition (so no insert is ever refused) and partitions created around now.
 * Registers the table in the catalog either way. Returns the mode used.
 */
export async function createHypertable(db: Queryable, spec: HypertableSpec): Promise<TimeSeriesMode> {
  const mode = await detectTimeSeriesMode(db);
  const table = quoteIdentifier(spec.table);
  const timeColumn = quoteIdentifier(spec.timeColumn);

  if (mode === 'timescaledb') {
    await db.query(`CREATE TABLE ${table} (${spec.columns})`);
    await db.query(`SELECT create_hypertable($1::regclass, by_range($2, $3::interval))`, [
      spec.table,
      spec.timeColumn,
      spec.chunkInterval,
    ]);
  } else {
    await db.query(`CREATE TABLE ${table} (${spec.columns}) PARTITION BY RANGE (${timeColumn})`);
    await db.query(`CREATE TABLE ${quoteIdentifier(`${spec.table}_default`)} PARTITION OF ${table} DEFAULT`);
  }
  await db.query(
    `INSERT INTO ${TIME_SERIES_CATALOG} (table_name, time_column, chunk_interval, mode) VALUES ($1, $2, $3::interval, $4)`,
    [spec.table, spec.timeColumn, spec.chunkInterval, mode],
  );
  if (mode === 'native-partitioning') {
    const interval = await chunkIntervalOf(db, spec.table);
    await ensurePartitions(db, spec.table, {
      from: new Date(Date.now() - (spec.partitionsBehind ?? 1) * interval),
      to: new Date(Date.now() + (spec.partitionsAhead ?? 7) * interval),
    });
  }
  return mode;
}

/** Drops a table created by createHypertable (its partitions go with it) and its catalog entry. */
export async function dropHypertable(db: Queryable, table: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${quoteIdentifier(table)} CASCADE`);
  await db.query(`DELETE FROM ${TIME_SERIES_CATALOG} WHERE table_name = $1`, [table]);
}

async function chunkIntervalOf(db: Queryable, table: string): Promise<number> {
  const rows: { ms: string }[] = await db.query(
    `SELECT (EXTRACT(EPOCH FROM chunk_interval) * 1000)::bigint AS ms FROM ${TIME_SERIES_CATALOG} WHERE table_name = $1`,
    [table],
  );
  if (rows.length === 0) throw new Error(`${table} is not a registered time-series table`);
  return Number(rows[0].ms);
}

/**
 * Native mode: creates the missing partitions covering [from, to), aligned on the table's chunk
 * interval (from 2000-01-01 UTC, as TimescaleDB aligns chunks). Idempotent. Returns the names of
 * the partitions it created. A no-op in timescaledb mode, where chunks are created on insert.
 */
export async function ensurePartitions(
  db: Queryable,
  table: string,
  range: { from: Date; to: Date },
): Promise<string[]> {
  if ((await detectTimeSeriesMode(db)) === 'timescaledb') return [];
  const bins: { lower: Date; upper: Date; suffix: string }[] = await db.query(
    `SELECT b AS lower, b + c.chunk_interval AS upper, to_char(b AT TIME ZONE 'UTC', 'YYYYMMDD"_"HH24MI') AS suffix
       FROM ${TIME_SERIES_CATALOG} c,
            generate_series(date_bin(c.chunk_interval, $2::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
                            $3::timestamptz, c.chunk_interval) AS b
      WHERE c.table_name = $1`,
    [table, range.from.toISOString(), range.to.toISOString()],
  );
  const created: string[] = [];
  for (const bin of bins) {
    const partition = `${table}_p${bin.suffix}`;
    const exists: unknown[] = await db.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [partition]);
    if (exists.length > 0) continue;
    // Bounds are timestamps Postgres produced itself; DDL takes no bind parameters.
    await db.query(
      `CREATE TABLE ${quoteIdentifier(partition)} PARTITION OF ${quoteIdentifier(table)}
         FOR VALUES FROM ('${bin.lower.toISOString()}') TO ('${bin.upper.toISOString()}')`,
    );
    created.push(partition);
  }
  return created;
}

/**
 * Applies retention: removes data whose chunk lies entirely before `now - olderThan`.
 * TimescaleDB: `drop_chunks`. Native: drops whole partitions (never deletes row by row).
 * Returns the number of chunks or partitions dropped.
 */
export async function dropChunksOlderThan(db: Queryable, table: string, olderThan: string): Promise<number> {
  if ((await detectTimeSeriesMode(db)) === 'timescaledb') {
    const rows: unknown[] = await db.query(`SELECT drop_chunks($1::regclass, older_than => $2::interval)`, [
      table,
      olderThan,
    ]);
    return rows.length;
  }
  const expired: { name: string }[] = await db.query(
    `SELECT child.relname AS name
       FROM pg_inherits i
       JOIN pg_class parent ON parent.oid = i.inhparent
       JOIN pg_class child ON child.oid = i.inhrelid
      WHERE parent.relname = $1
        AND pg_get_expr(child.relpartbound, child.oid) <> 'DEFAULT'
        AND (regexp_match(pg_get_expr(child.relpartbound, child.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
            <= now() - $2::interval`,
    [table, olderThan],
  );
  for (const { name } of expired) {
    await db.query(`DROP TABLE ${quoteIdentifier(name)}`);
  }
  return expired.length;
}

/**
 * Declares how long data is kept. TimescaleDB runs the policy itself; in native mode the
 * interval is stored in the catalog for the maintenance job that calls dropChunksOlderThan.
 */
export async function addRetentionPolicy(db: Queryable, table: string, keep: string): Promise<void> {
  await db.query(`UPDATE ${TIME_SERIES_CATALOG} SET retention = $2::interval WHERE table_name = $1`, [table, keep]);
  if ((await detectTimeSeriesMode(db)) === 'timescaledb') {
    await db.query(`SELECT add_retention_policy($1::regclass, $2::interval)`, [table, keep]);
  }
}

/**
 * Enables native compression of chunks older than `after` (TimescaleDB only; native
 * partitioning has no equivalent, so it reports `false` and does nothing).
 */
export async function addCompressionPolicy(
  db: Queryable,
  table: string,
  options: { segmentBy: string; after: string },
): Promise<boolean> {
  if ((await detectTimeSeriesMode(db)) !== 'timescaledb') return false;
  await db.query(
    `ALTER TABLE ${quoteIdentifier(table)} SET (timescaledb.compress, timescaledb.compress_segmentby = '${quoteIdentifier(options.segmentBy)}')`,
  );
  await db.query(`SELECT add_compression_policy($1::regclass, $2::interval)`, [table, options.after]);
  return true;
}
