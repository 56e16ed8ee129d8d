/**
 * The chaos script: faults in random order (every fault once per shuffled round, so a short soak
 * still sees each kind), each held a few seconds, with a quiet gap after it for the system to
 * recover on its own. Killed apps are restarted by the chaos script itself; for dependency
 * outages the apps get no help.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { SupervisedApp } from './apps';
import { KafkaBroker, Log, PostgresCluster, RedisServer } from './cluster';

export type FaultKind =
  'kill-command-api' | 'kill-query-api' | 'restart-kafka' | 'pause-postgres' | 'kill-postgres-backend' | 'stop-redis';

export const FAULT_KINDS: FaultKind[] = [
  'kill-command-api',
  'kill-query-api',
  'restart-kafka',
  'pause-postgres',
  'kill-postgres-backend',
  'stop-redis',
];

export interface FaultRecord {
  kind: FaultKind;
  startedAt: number;
  endedAt?: number;
  detail: string;
  /** From the repair until both apps answered `/health/ready` with 200; null: not within the limit. */
  recoveredInMs?: number | null;
}

export interface ChaosTargets {
  postgres: PostgresCluster;
  redis: RedisServer;
  kafka: KafkaBroker;
  commandApi: SupervisedApp;
  queryApi: SupervisedApp;
}

const between = (min: number, max: number) => min + Math.random() * (max - min);

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export class ChaosScript {
  readonly faults: FaultRecord[] = [];
  current?: FaultRecord;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly targets: ChaosTargets,
    private readonly log: Log,
    private readonly options: {
      holdMs: [number, number];
      gapMs: [number, number];
      kinds?: FaultKind[];
      /** How long the apps may take to be ready again after a fault is repaired (default 60 s). */
      recoveryLimitMs?: number;
    },
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the fault in progress is over and repaired. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let queue: FaultKind[] = [];
    // A first quiet moment: the load gets going before the first fault.
    await this.quiet(between(...this.options.gapMs));
    while (this.running) {
      if (queue.length === 0) queue = shuffled(this.options.kinds ?? FAULT_KINDS);
      const kind = queue.shift() as FaultKind;
      const record: FaultRecord = { kind, startedAt: Date.now(), detail: '' };
      this.current = record;
      this.faults.push(record);
      try {
        record.detail = await this.inject(kind);
      } catch (error) {
        record.detail = `failed: ${(error as Error).message}`;
      }
      record.endedAt = Date.now();
      record.recoveredInMs = await this.recovery();
      this.current = undefined;
      this.log(
        `chaos: ${kind} ${record.detail} (${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s; ` +
          `ready again ${record.recoveredInMs === null ? 'NOT within the limit' : `after ${(record.recoveredInMs / 1000).toFixed(1)} s`})`,
      );
      await this.quiet(between(...this.options.gapMs));
    }
  }

  /** Waits until both apps are ready again, on their own; the time it took, or null past the limit. */
  private async recovery(): Promise<number | null> {
    const started = Date.now();
    const limit = this.options.recoveryLimitMs ?? 60_000;
    const ready = async (baseUrl: string) => {
      try {
        const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(3_000) });
        await response.arrayBuffer();
        return response.status === 200;
      } catch {
        return false;
      }
    };
    while (Date.now() - started < limit) {
      const [command, query] = await Promise.all([
        ready(this.targets.commandApi.baseUrl),
        ready(this.targets.queryApi.baseUrl),
      ]);
      if (command && query) return Date.now() - started;
      await sleep(250);
    }
    return null;
  }

  /** Sleeps, but wakes up early once stopped. */
  private async quiet(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.running && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  }

  private hold(): Promise<void> {
    return sleep(between(...this.options.holdMs));
  }

  private async inject(kind: FaultKind): Promise<string> {
    const { postgres, redis, kafka, commandApi, queryApi } = this.targets;
    switch (kind) {
      case 'kill-command-api':
      case 'kill-query-api': {
        const app = kind === 'kill-command-api' ? commandApi : queryApi;
        const pid = await app.kill();
        await sleep(between(200, 1_500));
        await app.start();
        return `kill -9 of pid ${pid}, restarted`;
      }
      case 'restart-kafka': {
        await kafka.stop();
        await this.hold();
        await kafka.start();
        return 'broker stopped and started again';
      }
      case 'pause-postgres': {
        const count = postgres.pause();
        try {
          await this.hold();
        } finally {
          postgres.resume();
        }
        return `SIGSTOP/SIGCONT of ${count} processes`;
      }
      case 'kill-postgres-backend':
        return this.killBackend();
      case 'stop-redis': {
        await redis.stop();
        await this.hold();
        await redis.start();
        return 'redis-server stopped and started again';
      }
    }
  }

  /**
   * One backend of our apps (by application_name): pg_terminate_backend, or SIGKILL (which makes
   * the postmaster restart every backend and run crash recovery), half of the time each.
   */
  private async killBackend(): Promise<string> {
    const admin = new Client({ connectionString: this.targets.postgres.url('postgres') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number; application_name: string; datname: string; state: string }>(
        `SELECT pid, application_name, datname, state FROM pg_stat_activity
          WHERE application_name IN ('command-api', 'query-api') AND pid <> pg_backend_pid()`,
      );
      if (rows.length === 0) return 'no backend of ours connected (nothing killed)';
      // Prefer a busy one: that is where a cut hurts.
      const busy = rows.filter((row) => row.state !== 'idle');
      const pool = busy.length > 0 && Math.random() < 0.7 ? busy : rows;
      const target = pool[Math.floor(Math.random() * pool.length)];
      if (Math.random() < 0.5) {
        await admin.query('SELECT pg_terminate_backend($1)', [target.pid]);
        return `pg_terminate_backend(${target.pid}) of ${target.application_name} (${target.state})`;
      }
      process.kill(target.pid, 'SIGKILL');
      return `SIGKILL of backend ${target.pid} of ${target.application_name} (${target.state}): cluster crash recovery`;
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
}
