import { randomBytes } from 'node:crypto';

/** Environment variables through which the global setup hands the run's resources to the tests. */
export const RUN_ENV = {
  runId: 'TEST_RUN_ID',
  postgresServerUrl: 'TEST_POSTGRES_SERVER_URL',
} as const;

/** A short id, unique per run, used in database names and the topic prefix. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The URL of database `name` on the server behind `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function runDatabaseName(runId: string, label = 'main'): string {
  return `analytics_test_${runId}_${label}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
}

export function topicPrefixOf(runId: string): string {
  return `test.${runId}.`;
}
