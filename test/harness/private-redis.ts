import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { freePort } from './app-process';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A redis-server of the test's own, on a free port, for tests that pause (SIGSTOP) or kill Redis:
 * the machine's shared Redis is never touched. Signals go to this process only, by its pid.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private dir?: string;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it; after `stop()`, starts it again on the same port (a Redis coming back). */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'private-redis-'));
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch (error) {
          if (attempt > 100 || child.exitCode !== null) throw error;
          probe.disconnect();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  pause(): void {
    process.kill(this.child!.pid!, 'SIGSTOP');
  }

  resume(): void {
    process.kill(this.child!.pid!, 'SIGCONT');
  }

  /** SIGKILL of our own server (continued first, should it be paused), and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGCONT');
      process.kill(child.pid!, 'SIGKILL');
      await exited;
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
