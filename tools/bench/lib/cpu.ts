/**
 * CPU time per process from /proc (Linux): utime + stime of `/proc/<pid>/stat`, in milliseconds.
 *
 * What each probe counts:
 * - `pid`: one process (e.g. command-api, the Kafka broker).
 * - `self`: this bench process (the HTTP loader, the library calls, kafkajs for a baseline).
 * - `children`: processes this bench started and already waited for (pgbench), from the
 *   cutime + cstime of /proc/self/stat, which the kernel adds when a child is reaped.
 * - `postgres (own backends)`: the server processes connected to the figure's database, found in
 *   pg_stat_activity every 100 ms during the window; a backend that exits counts up to its last
 *   poll (so up to 100 ms of it is missed). Background processes (WAL writer, checkpointer) are not in it.
 * - `postgres (cluster)`: every process of the cluster: the postmaster with its reaped children
 *   and all live children. It includes the background processes, and also whatever other users of
 *   the same server do meanwhile: an upper bound, noisy on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CpuShare } from '../figure';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

interface ProcTimes {
  ppid: number;
  /** utime + stime, ms. */
  own: number;
  /** cutime + cstime (reaped children), ms. */
  children: number;
}

/** utime/stime of a process; undefined when it is gone. */
export function procTimes(pid: number | 'self'): ProcTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after "(comm)": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based in the full line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => Number(fields[i]) * TICK_MS;
  return { ppid: Number(fields[1]), own: tick(11) + tick(12), children: tick(13) + tick(14) };
}

/** A source of cumulative CPU milliseconds, keyed (e.g. by pid) so that vanished keys are handled. */
export interface CpuProbe {
  label: string;
  /** Reads at the start of the window (default: `read`). */
  start?(): Promise<Map<string, number>>;
  read(): Promise<Map<string, number>>;
}

export function pidProbe(label: string, pid: number): CpuProbe {
  return { label, read: async () => new Map([[String(pid), procTimes(pid)?.own ?? 0]]) };
}

export function selfProbe(label: string): CpuProbe {
  return {
    label,
    read: async () => {
      const { user, system } = process.cpuUsage();
      return new Map([['self', (user + system) / 1000]]);
    },
  };
}

export function childrenProbe(label: string): CpuProbe {
  return { label, read: async () => new Map([['children', procTimes('self')?.children ?? 0]]) };
}

/**
 * Server processes connected to database `database` (see the module comment). Between `start` and
 * `stop` it polls every 100 ms and keeps the last value seen per backend, so that backends of a
 * client that disconnects before the end (pgbench) count up to their last poll.
 */
export function postgresBackendsProbe(adminUrl: string, database: string, label = 'postgres (own backends)'): CpuProbe {
  const seen = new Map<string, number>();
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  const poll = async () => {
    if (!client) return;
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
      database,
    ]);
    for (const { pid } of rows) {
      const times = procTimes(pid);
      if (times) seen.set(String(pid), times.own);
    }
  };
  return {
    label,
    start: async () => {
      seen.clear();
      client = new Client({ connectionString: adminUrl });
      await client.connect();
      await poll();
      timer = setInterval(() => (polling = polling.then(poll).catch(() => undefined)), 100);
      return new Map(seen);
    },
    read: async () => {
      clearInterval(timer);
      await polling;
      await poll();
      await client?.end();
      client = undefined;
      return new Map(seen);
    },
  };
}

/** Every process of the cluster (see the module comment). Needs to read the data directory. */
export async function postgresClusterProbe(adminUrl: string): Promise<CpuProbe | undefined> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  let postmaster: number;
  try {
    const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
    postmaster = Number(readFileSync(join(rows[0].dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined; // not superuser, or another machine: the own-backends figure remains
  } finally {
    await client.end();
  }
  return {
    label: 'postgres (cluster)',
    read: async () => {
      const root = procTimes(postmaster);
      let total = root ? root.own + root.children : 0;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const times = procTimes(Number(entry));
        if (times?.ppid === postmaster) total += times.own;
      }
      return new Map([['cluster', total]]);
    },
  };
}

/**
 * The pid of the process listening on `address`'s port (`host:port`, e.g. the Kafka broker or
 * Redis) when it runs on this machine and `ss` may show it; undefined otherwise.
 */
export function listeningPid(address: string): number | undefined {
  const port = address.split(':').pop();
  try {
    const out = execFileSync('ss', ['-Htlnp', `sport = :${port}`]).toString();
    const pid = /pid=(\d+)/.exec(out)?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a set of probes before and after a measured window. */
export class CpuMeter {
  private before: Map<string, number>[] = [];
  private running = false;

  constructor(private readonly probes: CpuProbe[]) {}

  async start(): Promise<void> {
    this.running = true;
    this.before = await Promise.all(this.probes.map((probe) => (probe.start ?? probe.read)()));
  }

  /** CPU ms per operation of each probe since `start`. */
  async stop(operations: number): Promise<CpuShare[]> {
    this.running = false;
    const after = await Promise.all(this.probes.map((probe) => probe.read()));
    return this.probes.map((probe, i) => {
      let spent = 0;
      for (const [key, value] of after[i]) spent += value - (this.before[i].get(key) ?? 0);
      return { process: probe.label, msPerOp: operations > 0 ? spent / operations : 0 };
    });
  }

  /**
   * Ends a window that was left without `stop` (the measured work threw): polling probes would
   * otherwise keep their timer and connection, and the bench process, alive. Call it in `finally`.
   */
  async release(): Promise<void> {
    if (this.running) await this.stop(0).catch(() => undefined);
  }
}
