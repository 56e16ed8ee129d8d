import { createDataSource, runPendingMigrations } from '@analytics/persistence';
import { createScratchDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { queryApiSchema } from './query-api.schema';

/**
 * query-api's connections against a read model that fills up while its statements run, as in a
 * rebuild or on a new read database: the projections' ledger lookup, prepared while the ledger
 * was empty, must still go through the ledger's index once it holds many rows. (With Postgres'
 * defaults the sixth execution settles on a generic plan, a scan of the then empty table, and
 * keeps it: every later batch scanned the whole ledger.)
 */
describe('query-api database connections', () => {
  const LOOKUP = 'SELECT position FROM read_model.applied_events WHERE position = ANY($1::bigint[])';
  const databases: { url: string; drop(): Promise<void> }[] = [];
  const sources: DataSource[] = [];

  /** A new read database: each case needs its ledger's file empty (a rollback leaves it grown). */
  async function freshReadDatabase(): Promise<string> {
    const scratch = await createScratchDatabase('qapi_planning');
    databases.push(scratch);
    await runPendingMigrations(queryApiSchema, scratch.url);
    return scratch.url;
  }

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await Promise.all(databases.map((scratch) => scratch.drop()));
  });

  /**
   * The plan of the ledger lookup for 200 positions, prepared and run six times while the ledger
   * holds its first 200 rows (its first batch), once it holds 50,000.
   */
  async function lookupPlanAfterGrowth(source: DataSource): Promise<string> {
    sources.push(await source.initialize());
    const connection = source.createQueryRunner();
    try {
      const addLedgerRows = (first: number, last: number) =>
        connection.query(
          `INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version)
           SELECT gen_random_uuid(), n, 'connector-profile', gen_random_uuid()::text, 1 FROM generate_series($1::int, $2::int) AS n`,
          [first, last],
        );
      await connection.startTransaction();
      await addLedgerRows(1, 200);
      await connection.query(`PREPARE lookup(bigint[]) AS ${LOOKUP}`);
      // Batches of 200 positions, as the engine's: a generic plan (priced for 10) looks cheaper.
      for (let i = 0; i < 6; i++) await connection.query(`EXECUTE lookup(${positionsLiteral(200)})`);
      await addLedgerRows(201, 50_000);
      const rows = (await connection.query(`EXPLAIN EXECUTE lookup(${positionsLiteral(200)})`)) as {
        'QUERY PLAN': string;
      }[];
      // The positions the plan repeats say nothing: left out.
      return rows.map((row) => row['QUERY PLAN'].replace(/'\{[^}]*\}'/g, "'{...}'")).join('\n');
    } finally {
      await connection.rollbackTransaction();
      await connection.release();
    }
  }

  /** Positions spread over the 50,000 the ledger ends with. */
  const positionsLiteral = (n: number) =>
    `'{${Array.from({ length: n }, () => 1 + Math.floor(Math.random() * 50_000)).join(',')}}'`;

  it('look the ledger up through its index after it grew from empty', async () => {
    const plan = await lookupPlanAfterGrowth(
      createDataSource(queryApiSchema, { url: await freshReadDatabase(), poolMax: 1 }),
    );
    expect(plan).toMatch(/Index[\w ]* Scan (using|on) "PK_/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('(control) with Postgres defaults, the same connection scans the whole ledger', async () => {
    const plan = await lookupPlanAfterGrowth(
      new DataSource({ type: 'postgres', url: await freshReadDatabase(), extra: { max: 1 } }),
    );
    expect(plan).toMatch(/Seq Scan on applied_events/);
  });
});
