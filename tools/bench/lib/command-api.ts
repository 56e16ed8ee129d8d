/** command-api as the benchmarks run it: the production build, as its own OS process. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/harness/app-process';
import { BenchContext } from './context';

const REPO = join(__dirname, '..', '..', '..');
const MAIN = join(REPO, 'dist', 'apps', 'command-api', 'main.js');

export interface RunningApp {
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

function requireBuild() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
}

/** Migrates `databaseUrl` with `main.js migrate` (the write side's schema). */
export function migrateCommandApi(databaseUrl: string): void {
  requireBuild();
  const result = spawnSync(process.execPath, [MAIN, 'migrate'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`command-api migrate failed:\n${result.stdout}${result.stderr}`);
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
  requireBuild();
  const port = await freePort();
  const logFile = join(ctx.workDir, `command-api-${label}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      COMMAND_API_PORT: String(port),
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: ctx.topicPrefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`command-api exited with ${child.exitCode} during start; see ${logFile}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { baseUrl, pid: child.pid as number, logFile, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`command-api was not ready within 60 s; see ${logFile}`);
}
