/** query-api as the read-side figures run it: the production build, as its own OS processes. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainOf, migrateApp, RunningApp, startApp } from './command-api';
import { BenchContext } from './context';

/** Migrates `databaseUrl` with `main.js migrate` (the read side's schema `read_model`). */
export function migrateQueryApi(databaseUrl: string): void {
  migrateApp('query-api', { DATABASE_URL: databaseUrl, READ_DATABASE_URL: databaseUrl });
}

/** Starts query-api (HTTP and projections) on `readUrl`; see startApp for ports, logs and readiness. */
export function startQueryApi(
  ctx: BenchContext,
  label: string,
  readUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  return startApp(ctx, 'query-api', label, { DATABASE_URL: readUrl, READ_DATABASE_URL: readUrl, ...env });
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
  const logFile = join(ctx.workDir, `rebuild-${label}.log`);
  const log = openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [mainOf('query-api'), 'projections:rebuild', 'all'], {
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
