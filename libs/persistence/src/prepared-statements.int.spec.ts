import { Pool } from 'pg';
import { PreparedStatements } from './prepared-statements';

/** PreparedStatements on a real Postgres: the command path's transactions survive a lost backend. */
describe('PreparedStatements', () => {
  let pool: Pool;
  let admin: Pool;

  beforeAll(() => {
    pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    admin = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
  });

  it('answers rows of prepared statements, inside and outside a transaction', async () => {
    const db = new PreparedStatements(pool);
    expect(await db.query('SELECT $1::int + 1 AS n', [1])).toEqual([{ n: 2 }]);
    expect(await db.query('SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
    expect(await db.transaction((tx) => tx.query('SELECT $1::text AS t', ['in']))).toEqual([{ t: 'in' }]);
  });

  // Without a listener the lost connection is an unhandled 'error' event: jest fails the run.
  it('rejects a transaction whose backend is terminated mid-way, without an unhandled error, and goes on', async () => {
    const db = new PreparedStatements(pool);
    const attempt = db.transaction(async (tx) => {
      const [{ pid }] = (await tx.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the connection ends while idle in transaction
      return tx.query('SELECT 1');
    });
    await expect(attempt).rejects.toThrow();
    expect(await db.transaction((tx) => tx.query('SELECT 2 AS n'))).toEqual([{ n: 2 }]);
  });

  describe.each([
    ['one statement at a time', false],
    ['pipelined', true],
  ])('transactions, %s', (_, pipeline) => {
    let db: PreparedStatements;
    let own: Pool;
    const table = `ps_tx_${pipeline ? 'pipelined' : 'plain'}`;
    const rows = async () => (await admin.query(`SELECT n FROM ${table} ORDER BY n`)).rows.map((row) => row.n);

    beforeAll(async () => {
      own = new Pool({ connectionString: process.env.DATABASE_URL, max: 1, pipeline } as never);
      db = new PreparedStatements(own);
      await admin.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (n int PRIMARY KEY)`);
    });
    beforeEach(() => admin.query(`TRUNCATE ${table}`));
    afterAll(async () => {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await own?.end();
    });

    it('runs every statement, the first ones included, in one transaction', async () => {
      const ids = await db.transaction(async (tx) => [
        await tx.query('SELECT txid_current() AS id'),
        await tx.query('SELECT txid_current() AS id'),
      ]);
      expect(ids[0][0].id).toEqual(ids[1][0].id);
    });

    it('awaits a statement left unawaited with the commit, and commits it', async () => {
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        void tx.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
      });
      expect(await rows()).toEqual([1, 2]);
    });

    it('rolls back and rejects when a statement left unawaited fails', async () => {
      const attempt = db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        void tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        return 'done';
      });
      await expect(attempt).rejects.toThrow(/duplicate key/);
      expect(await rows()).toEqual([]);
    });

    it('rolls back when a failed statement was caught by the work but left the transaction aborted', async () => {
      const attempt = db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]).catch(() => undefined);
      });
      await expect(attempt).rejects.toThrow(/rolled back/);
      expect(await rows()).toEqual([]);
    });

    it('commits when the work recovered from a failed statement with a savepoint', async () => {
      await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]);
        await tx.query('SAVEPOINT one');
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [1]).catch(() => tx.query('ROLLBACK TO SAVEPOINT one'));
        await tx.query(`INSERT INTO ${table} VALUES ($1)`, [2]);
      });
      expect(await rows()).toEqual([1, 2]);
    });
  });
});
