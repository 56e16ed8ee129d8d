/**
 * Both apps as OS processes from their production build, supervised by the soak: the chaos script
 * kill -9s one and restarts it (its own restart); an app that exits by itself is NOT restarted
 * silently: the exit is recorded (a violation: apps must ride out dependency outages), and the app
 * is started again so that the soak can go on and report everything else.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../kafka/kafka-broker';
import { Log } from './cluster';

export type AppName = 'command-api' | 'query-api';

export interface UnexpectedExit {
  app: AppName;
  at: number;
  code: number | null;
  signal: string | null;
  tail: string;
}

export class SupervisedApp {
  private child?: ChildProcess;
  private logFile?: WriteStream;
  private tail = '';
  private expectingExit = false;
  private stopped = false;
  private closed = false;
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Starts, including the first one. */
  starts = 0;

  constructor(
    readonly app: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logPath: string,
    private readonly log: Log,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs `main.js migrate` (once, before the soak). */
  async migrate(): Promise<void> {
    const child = spawn(process.execPath, [this.main(), 'migrate'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`${this.app} migrate exited with ${code}:\n${output.slice(-4000)}`);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.stopped = false;
    this.expectingExit = false;
    this.logFile ??= createWriteStream(this.logPath, { flags: 'a' });
    const portVariable = this.app === 'command-api' ? 'COMMAND_API_PORT' : 'QUERY_API_PORT';
    const child = spawn(process.execPath, [this.main()], {
      env: { ...process.env, ...this.env, [portVariable]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const keep = (chunk: Buffer) => {
      this.logFile?.write(chunk);
      this.tail = (this.tail + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.expectingExit || this.stopped) return;
      this.unexpectedExits.push({ app: this.app, at: Date.now(), code, signal, tail: this.tail });
      this.log(`!! ${this.app} exited on its own (code ${code}, signal ${signal}); restarting it to go on`);
      void sleep(1_000).then(() => (this.stopped ? undefined : this.start().catch(() => undefined)));
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) return; // recorded by the exit handler
      try {
        if ((await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(2_000) })).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    this.log(`!! ${this.app} was not live within 60 s of its start`);
  }

  /** kill -9 (a crash: no shutdown hook runs); waits for the exit. */
  async kill(): Promise<number | undefined> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    return child.pid;
  }

  /** SIGTERM (graceful), then SIGKILL after 10 s; never started again (the soak is over). */
  async stop(): Promise<void> {
    this.closed = true;
    this.stopped = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (this.logFile ? this.logFile.end(resolve) : resolve()));
    this.logFile = undefined;
  }

  private main(): string {
    const main = join(REPO_ROOT, 'dist', 'apps', this.app, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    return main;
  }
}
