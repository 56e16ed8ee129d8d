/** query-api as the benchmarks run it: the production build, as its own OS process. */
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/harness/app-process';
import { BenchContext } from './context';
import { migrateApp, requireBuild, RunningApp, startServerProcess } from './server-process';

const REPO = join(__dirname, '..', '..', '..');
const MAIN = join(REPO, 'dist', 'apps', 'query-api', 'main.js');

/** Migrates the read database `databaseUrl` with `main.js migrate` (schema read_model). */
export function migrateQueryApi(databaseUrl: string, main = MAIN): void {
  migrateApp(main, { READ_DATABASE_URL: databaseUrl, DATABASE_URL: databaseUrl });
}

/**
 * Starts query-api from dist on a free port against read database `databaseUrl`, consuming this
 * run's topics, with the machine's Redis (REDIS_URL; its cache keys are scoped by the database).
 */
export async function startQueryApi(
  ctx: BenchContext,
  label: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  requireBuild(MAIN);
  const port = await freePort();
  const groupId = `bench-${ctx.runId}-${label}`;
  // Cleanups run in reverse order: this one after the process has stopped.
  ctx.onCleanup(() => deleteConsumerGroup(ctx, groupId));
  return startServerProcess(ctx, `query-api-${label}`, [MAIN], `http://127.0.0.1:${port}`, '/health/ready', {
    QUERY_API_PORT: String(port),
    READ_DATABASE_URL: databaseUrl,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: ctx.topicPrefix,
    PROJECTIONS_GROUP_ID: groupId,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...env,
  });
}

/** Deletes a consumer group of this run (the topics go at the end of the run, the groups would stay). */
export async function deleteConsumerGroup(ctx: BenchContext, groupId: string): Promise<void> {
  const admin = new Kafka({ brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]);
  } finally {
    await admin.disconnect();
  }
}

export interface RebuildRun {
  /** What the CLI reports: events replayed, and the replay's seconds (feed read + apply, switch excluded). */
  events: number;
  replaySeconds: number;
  /** The process from spawn to exit (start-up, schema creation, replay, switch, checksum, clean-up). */
  wallSeconds: number;
  pauseMs: number;
  checksum: string;
}

/**
 * Runs `main.js projections:rebuild all` against `readUrl` with the feed of `commandApiUrl` and
 * waits for it to exit; throws unless it exits 0. Its output (plain progress lines: stdout is not
 * a terminal) goes to `rebuild-<label>.log` in the run's work directory.
 */
export async function runRebuild(
  ctx: BenchContext,
  label: string,
  readUrl: string,
  commandApiUrl: string,
  env: Record<string, string> = {},
): Promise<RebuildRun> {
  requireBuild(MAIN);
  const logFile = join(ctx.workDir, `rebuild-${label}.log`);
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN, 'projections:rebuild', 'all'], {
    env: {
      ...process.env,
      DATABASE_URL: readUrl,
      READ_DATABASE_URL: readUrl,
      COMMAND_API_URL: commandApiUrl,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  ctx.onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const output = readFileSync(logFile, 'utf8');
  const done =
    /done: (\d+) events replayed in ([\d.]+) s = \d+ events\/s; live projections paused (\d+) ms.*checksum (\w+)/.exec(
      output,
    );
  if (code !== 0 || !done) throw new Error(`projections:rebuild exited with ${code}; see ${logFile}`);
  return {
    events: Number(done[1]),
    replaySeconds: Number(done[2]),
    wallSeconds,
    pauseMs: Number(done[3]),
    checksum: done[4],
  };
}
