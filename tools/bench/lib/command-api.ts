/** The apps as the benchmarks run them: the production build, each as its own OS process. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/harness/app-process';
import { BenchContext } from './context';

const REPO = join(__dirname, '..', '..', '..');

export type AppName = 'command-api' | 'query-api';

export interface RunningApp {
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** `dist/apps/<app>/main.js`, or an error saying to build first. */
export function mainOf(app: AppName): string {
  const main = join(REPO, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  return main;
}

/** Migrates `databaseUrl` with `main.js migrate` (the write side's schema). */
export function migrateCommandApi(databaseUrl: string): void {
  migrateApp('command-api', { DATABASE_URL: databaseUrl });
}

/** Runs `main.js migrate` of `app` with `env` (each app migrates the database its config names). */
export function migrateApp(app: AppName, env: Record<string, string>): void {
  const result = spawnSync(process.execPath, [mainOf(app), 'migrate'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${app} migrate failed:\n${result.stdout}${result.stderr}`);
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
  return startApp(ctx, 'command-api', label, { DATABASE_URL: databaseUrl, ...env });
}

/**
 * Starts `app` on a free port with this run's brokers and topic prefix (`env` may override them),
 * logging to `<app>-<label>.log` in the run's work directory, and waits for `/health/ready`.
 */
export async function startApp(
  ctx: BenchContext,
  app: AppName,
  label: string,
  env: Record<string, string>,
): Promise<RunningApp> {
  const main = mainOf(app);
  const port = await freePort();
  const logFile = join(ctx.workDir, `${app}-${label}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      [app === 'command-api' ? 'COMMAND_API_PORT' : 'QUERY_API_PORT']: String(port),
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
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode} during start; see ${logFile}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { baseUrl, pid: child.pid as number, logFile, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`${app} was not ready within 60 s; see ${logFile}`);
}
