import { createScratchDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { addRetentionPolicy, createHypertable, dropChunksOlderThan, ensurePartitions } from './hypertable';
import { detectTimeSeriesMode } from './time-series-mode';

const DAY = 24 * 60 * 60 * 1000;

describe('createHypertable on plain PostgreSQL (native partitioning)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;

  beforeAll(async () => {
    scratch = await createScratchDatabase('hypertable');
    db = await new DataSource({ type: 'postgres', url: scratch.url }).initialize();
    await db.query(`CREATE TABLE time_series_tables (table_name varchar(63) PRIMARY KEY, time_column varchar(63) NOT NULL,
      chunk_interval interval NOT NULL, retention interval, mode varchar(32) NOT NULL)`);
  });

  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  const partitionOf = async (time: Date): Promise<string> => {
    const [row] = await db.query(`SELECT tableoid::regclass::text AS partition FROM ticks WHERE time = $1`, [time]);
    return row.partition;
  };

  it('detects that TimescaleDB is not installed', async () => {
    expect(await detectTimeSeriesMode(db)).toBe('native-partitioning');
  });

  it('creates a partitioned table whose rows land in per-chunk partitions around now', async () => {
    const mode = await createHypertable(db, {
      table: 'ticks',
      timeColumn: 'time',
      chunkInterval: '1 day',
      columns: `symbol text NOT NULL, time timestamptz NOT NULL, price numeric NOT NULL, PRIMARY KEY (symbol, time)`,
    });
    expect(mode).toBe('native-partitioning');

    const now = new Date();
    const tomorrow = new Date(now.getTime() + DAY);
    await db.query(`INSERT INTO ticks VALUES ('ACME', $1, 1), ('ACME', $2, 2)`, [now, tomorrow]);
    const today = now.toISOString().slice(0, 10).replace(/-/g, '');
    const next = tomorrow.toISOString().slice(0, 10).replace(/-/g, '');
    expect(await partitionOf(now)).toBe(`ticks_p${today}_0000`);
    expect(await partitionOf(tomorrow)).toBe(`ticks_p${next}_0000`);
  });

  it('never refuses a row outside the prepared range: it goes to the default partition', async () => {
    const longAgo = new Date('2001-02-03T04:05:06Z');
    await db.query(`INSERT INTO ticks VALUES ('ACME', $1, 3)`, [longAgo]);
    expect(await partitionOf(longAgo)).toBe('ticks_default');
  });

  it('creates missing partitions idempotently', async () => {
    const range = { from: new Date(Date.now() - 10 * DAY), to: new Date(Date.now() - 8 * DAY) };
    const first = await ensurePartitions(db, 'ticks', range);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(await ensurePartitions(db, 'ticks', range)).toEqual([]);
  });

  it('applies retention by dropping whole expired partitions, keeping recent data', async () => {
    const old = new Date(Date.now() - 9 * DAY);
    await db.query(`INSERT INTO ticks VALUES ('ACME', $1, 4)`, [old]);
    await addRetentionPolicy(db, 'ticks', '5 days');
    const [catalog] = await db.query(`SELECT retention::text FROM time_series_tables WHERE table_name = 'ticks'`);
    expect(catalog.retention).toBe('5 days');

    const dropped = await dropChunksOlderThan(db, 'ticks', '5 days');

    expect(dropped).toBeGreaterThanOrEqual(2);
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM ticks WHERE time = $1`, [old]);
    expect(count).toBe(0);
    const [{ recent }] = await db.query(
      `SELECT count(*)::int AS recent FROM ticks WHERE time > now() - interval '2 days'`,
    );
    expect(recent).toBe(2);
  });
});
