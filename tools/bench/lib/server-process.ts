/**
 * The apps and other servers as the benchmarks run them: each its own OS process from the
 * production build, logging to a file in the run's work directory, ready once an HTTP probe
 * answers 2xx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext } from './context';

export interface RunningApp {
  baseUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export function requireBuild(main: string): void {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
}

/** Runs `node <main> migrate` with `env` (an app's migrations against its database). */
export function migrateApp(main: string, env: Record<string, string>): void {
  requireBuild(main);
  const result = spawnSync(process.execPath, [main, 'migrate'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${main} migrate failed:\n${result.stdout}${result.stderr}`);
}

/** Runs `node <args>` with `env`, logging to `<workDir>/<label>.log`, until `baseUrl + readyPath` answers 2xx. */
export async function startServerProcess(
  ctx: BenchContext,
  label: string,
  args: string[],
  baseUrl: string,
  readyPath: string,
  env: Record<string, string>,
): Promise<RunningApp> {
  const logFile = join(ctx.workDir, `${label}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  ctx.onCleanup(stop);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} during start; see ${logFile}`);
    const ready = await fetch(`${baseUrl}${readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { baseUrl, pid: child.pid as number, logFile, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`${label} was not ready within 60 s; see ${logFile}`);
}
