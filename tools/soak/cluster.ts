/**
 * The soak's own services: a Postgres cluster (initdb + pg_ctl in a temporary folder, on a free
 * port), a redis-server and a Kafka broker (our launcher), so that the chaos script can pause,
 * kill and stop them without touching the machine's shared services.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { startKafka, stopKafka } from '../kafka/kafka-broker';

const PG_BIN = process.env.SOAK_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env.SOAK_REDIS_SERVER ?? 'redis-server';

export type Log = (line: string) => void;

/** Postgres refuses to run as root: then the cluster belongs to the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a `postgres` user for the cluster');
  return { uid, gid };
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined, timeoutMs = 60_000) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, ...(user ?? {}) });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  return result.stdout;
}

/** Processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export class PostgresCluster {
  private readonly user = postgresUser();
  readonly dataDir: string;
  readonly socketDir: string;
  private paused: number[] = [];

  constructor(
    readonly root: string,
    readonly port: number,
    private readonly log: Log,
  ) {
    this.dataDir = join(root, 'pgdata');
    this.socketDir = join(root, 'pgsocket');
  }

  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.socketDir, { recursive: true });
    if (this.user) {
      chownSync(this.root, this.user.uid, this.user.gid);
      chownSync(this.socketDir, this.user.uid, this.user.gid);
    }
    run(
      join(PG_BIN, 'initdb'),
      ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'],
      this.user,
    );
    const options = [
      `-p ${this.port}`,
      `-k ${this.socketDir}`,
      `-c listen_addresses=127.0.0.1`,
      `-c max_connections=200`,
      // Not crash-safe for the machine, but a killed process still loses nothing (the kernel has
      // the WAL); synchronous_commit stays on, so an acknowledged commit survives a backend crash.
      // full_page_writes stays on, as in production: crash recovery (after a backend's SIGKILL)
      // runs as it would there.
      `-c fsync=off`,
    ].join(' ');
    run(
      join(PG_BIN, 'pg_ctl'),
      ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', join(this.root, 'postgres.log'), '-o', options],
      this.user,
      90_000,
    );
    this.log(`postgres on 127.0.0.1:${this.port} (postmaster ${this.postmasterPid()})`);
  }

  async createDatabase(name: string): Promise<string> {
    const admin = new Client({ connectionString: this.url('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    return this.url(name);
  }

  postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The postmaster and every process it forked (backends, WAL writer, checkpointer, ...). */
  processes(): number[] {
    const postmaster = this.postmasterPid();
    return postmaster ? [postmaster, ...childrenOf(postmaster)] : [];
  }

  /** SIGSTOP on every process of the cluster: connections hang, nothing is refused. */
  pause(): number {
    this.paused = this.processes();
    for (const pid of this.paused) signal(pid, 'SIGSTOP');
    return this.paused.length;
  }

  resume(): void {
    // Children forked meanwhile cannot exist (the postmaster was stopped), but be thorough.
    for (const pid of new Set([...this.paused, ...this.processes()])) signal(pid, 'SIGCONT');
    this.paused = [];
  }

  async stop(): Promise<void> {
    this.resume();
    if (!this.postmasterPid()) return;
    try {
      run(join(PG_BIN, 'pg_ctl'), ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', this.dataDir], this.user);
    } catch (error) {
      this.log(`pg_ctl stop: ${(error as Error).message}`);
      const postmaster = this.postmasterPid();
      if (postmaster) signal(postmaster, 'SIGQUIT');
    }
  }
}

export class RedisServer {
  private child?: ChildProcess;
  private closed = false;

  constructor(
    readonly port: number,
    private readonly log: Log,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('redis-server: the soak is over, not starting it again');
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const probe = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      if (probe.stdout?.trim() === 'PONG') return;
      await sleep(100);
    }
    throw new Error(`redis-server on ${this.port} did not answer within 15 s`);
  }

  /** The final stop: a chaos step still in progress cannot start it again. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export class KafkaBroker {
  private closed = false;

  constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly stateDir: string,
    private readonly log: Log,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('kafka: the soak is over, not starting it again');
    await startKafka({ port: this.port, controllerPort: this.controllerPort, stateDir: this.stateDir, log: this.log });
  }

  /** The final stop: a chaos step still in progress cannot start it again. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  async stop(): Promise<void> {
    await stopKafka(this.stateDir, this.log);
  }
}
