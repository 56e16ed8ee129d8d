/** command-api as the benchmarks run it: the production build, as its own OS process. */
import { join } from 'node:path';
import { freePort } from '../../../test/harness/app-process';
import { BenchContext } from './context';
import { migrateApp, requireBuild, RunningApp, startServerProcess } from './server-process';

export type { RunningApp } from './server-process';

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'apps', 'command-api', 'main.js');

/** Migrates `databaseUrl` with `main.js migrate` (the write side's schema). */
export function migrateCommandApi(databaseUrl: string): void {
  migrateApp(MAIN, { DATABASE_URL: databaseUrl });
}

/**
 * Starts command-api on a free port against `databaseUrl` with this run's topic prefix, logging
 * to a file in the run's work directory (the bench does not spend CPU reading the logs), and
 * waits for `/health/ready`. LOG_LEVEL is the bench's own (default `info`, as in production).
 */
export async function startCommandApi(
  ctx: BenchContext,
  label: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  requireBuild(MAIN);
  const port = await freePort();
  return startServerProcess(ctx, `command-api-${label}`, [MAIN], `http://127.0.0.1:${port}`, '/health/ready', {
    COMMAND_API_PORT: String(port),
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: ctx.topicPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...env,
  });
}
