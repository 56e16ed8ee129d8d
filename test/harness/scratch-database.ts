import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl, RUN_ENV, runDatabaseName } from './test-run';

function requireRunEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run this test through jest (npm test), whose global setup prepares the services`,
    );
  }
  return value;
}

/**
 * An empty database of this test run, for tests that migrate, revert or break schemas.
 * Dropped by `drop()`, and in any case by the global teardown.
 */
export async function createScratchDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = requireRunEnv(RUN_ENV.postgresServerUrl);
  const name = runDatabaseName(requireRunEnv(RUN_ENV.runId), `${label}_${randomBytes(2).toString('hex')}`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
