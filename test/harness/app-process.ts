import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  baseUrl: string;
  pid: number;
  /** Output so far (for assertion messages). */
  output(): string;
  /** SIGTERM, then waits for exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no shutdown hook runs), then waits for exit. */
  kill(): Promise<void>;
}

/**
 * Starts one app from its production build (`node dist/apps/<app>/main.js`) as a separate OS
 * process, with the test run's environment plus `env`, and waits until `/health/live` answers.
 */
export async function startApp(
  app: 'command-api' | 'query-api',
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const main = join(REPO, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
  const port = await freePort();
  const portVariable = app === 'command-api' ? 'COMMAND_API_PORT' : 'QUERY_API_PORT';
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, [portVariable]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForLive(child, baseUrl, () => output);
  return {
    baseUrl,
    pid: child.pid as number,
    output: () => output,
    stop: () => stopChild(child),
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForLive(child: ChildProcess, baseUrl: string, output: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode} during start:\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/health/live`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopChild(child);
  throw new Error(`app at ${baseUrl} was not live within 30 s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns how long it took. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/** The body of `/health/ready` and `/health/live` (Terminus). */
export interface HealthReport {
  status: 'ok' | 'error';
  details: Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;
  error: Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;
}

/** Reads a JSON response body as `T` (the tests then assert on its content). */
export async function jsonOf<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
