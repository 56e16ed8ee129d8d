import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/** How long and how hard to run; `--quick` proves the harness works, the default gives figures. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /**
   * Before each side of a round, wait until the machine is quiet (lib/machine-quiet.ts), so that
   * what the previous side left running is not timed; `--no-quiet-wait` turns it off.
   */
  quietWait: boolean;
  /** Seconds of each measured closed-loop or fixed-rate run. */
  durationSeconds: number;
  /** Seconds of each step of a concurrency sweep. */
  sweepSeconds: number;
  /** Concurrencies tried by the sweeps (HTTP connections, pgbench clients). */
  sweep: number[];
  /** Concurrent writers of the event-store figure. */
  writers: number;
  /** Events in the outbox backlog drained by the relay figure. */
  relayEvents: number;
  /** Events of history replayed by the read-side figures (projection apply, rebuild); `--events N`. */
  historyEvents: number;
}

export const QUICK: Omit<BenchOptions, 'rounds' | 'quick' | 'quietWait'> = {
  durationSeconds: 3,
  sweepSeconds: 2,
  sweep: [4, 16],
  writers: 8,
  relayEvents: 20_000,
  historyEvents: 10_000,
};

export const FULL: Omit<BenchOptions, 'rounds' | 'quick' | 'quietWait'> = {
  durationSeconds: 15,
  sweepSeconds: 5,
  sweep: [1, 4, 8, 16, 32],
  writers: 16,
  relayEvents: 100_000,
  historyEvents: 50_000,
};

/** The services of one bench run, its run id, and cleanup of everything it created. */
export class BenchContext {
  readonly runId = randomBytes(3).toString('hex');
  /** Kafka topics of this run start with this (`bench.<runid>.`). */
  readonly topicPrefix = `bench.${this.runId}.`;
  /** App logs go here, not to the bench's output. */
  readonly workDir = mkdtempSync(join(tmpdir(), `bench-${this.runId}-`));
  private readonly databases: string[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];

  constructor(
    readonly options: BenchOptions,
    /** Any database URL on the server (the database part is replaced). */
    readonly postgresUrl: string,
    readonly kafkaBrokers: string[],
  ) {}

  /** A progress line on stderr (the table goes to stdout). */
  progress(message: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }

  /** URL of database `name` on the bench server. */
  databaseUrl(name: string): string {
    const url = new URL(this.postgresUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Creates `bench_<runid>_<label>` (dropped by `cleanup`) and returns its name and URL. */
  async createDatabase(label: string): Promise<{ name: string; url: string }> {
    const name = `bench_${this.runId}_${label}`;
    await this.admin((client) => client.query(`CREATE DATABASE "${name}"`));
    this.databases.push(name);
    return { name, url: this.databaseUrl(name) };
  }

  /** Registers work for `cleanup` (run in reverse order). */
  onCleanup(work: () => Promise<void>): void {
    this.cleanups.push(work);
  }

  /**
   * Stops what the figures left running, then drops this run's databases and topics. The work
   * directory (app logs) is removed too unless `keepLogs` (a figure failed: its logs say why).
   */
  async cleanup(keepLogs = false): Promise<void> {
    for (const work of this.cleanups.splice(0).reverse()) {
      await work().catch((error: Error) => this.progress(`cleanup step failed: ${error.message}`));
    }
    for (const name of this.databases.splice(0)) {
      await this.admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(
        (error: Error) => this.progress(`could not drop ${name}: ${error.message}`),
      );
    }
    await this.deleteTopics().catch((error: Error) => this.progress(`could not delete topics: ${error.message}`));
    if (keepLogs) this.progress(`logs kept in ${this.workDir}`);
    else rmSync(this.workDir, { recursive: true, force: true });
  }

  private async deleteTopics(): Promise<void> {
    const admin = new Kafka({ brokers: this.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.databaseUrl('postgres') });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
