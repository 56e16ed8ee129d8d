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
});
