import { Client } from 'pg';
import { createDataSource, SchemaOwner } from './data-source.factory';

/**
 * Creates the database named in `url` when it does not exist yet (connecting to the server's
 * `postgres` database to do so). Returns true when it created it.
 */
export async function ensureDatabaseExists(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`Unsupported database name: ${JSON.stringify(name)}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

/** Runs the owner's pending migrations against `url`; returns the names of those it ran. */
export async function runPendingMigrations(owner: SchemaOwner, url: string): Promise<string[]> {
  const dataSource = await createDataSource(owner, { url, poolMax: 2 }).initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
