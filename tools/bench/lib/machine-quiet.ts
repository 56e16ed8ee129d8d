/**
 * Waits, before each side of a round, until the machine is quiet: what the previous side left
 * running (a process's shutdown, Postgres flushing what it wrote, the broker deleting topics)
 * should not be timed as part of the next side.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** All cores' CPU time since boot, in ticks, from the first line of /proc/stat. */
export interface MachineTimes {
  busy: number;
  total: number;
}

/**
 * Parses the `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest time
 * is already counted in user). Idle and iowait are idle; the rest is busy.
 */
export function parseMachineTimes(procStat: string): MachineTimes {
  const line = procStat.split('\n').find((row) => row.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map((field) => Number(field) || 0);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** The busy share of all cores between two readings (0 to 1). */
export function busyShare(before: MachineTimes, after: MachineTimes): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

export interface QuietOptions {
  /** Quiet: the busy share of one window is at most this. */
  busyAtMost: number;
  windowMs: number;
  /** Gives up waiting after this long (someone else's load): the side runs anyway. */
  maxWaitMs: number;
}

export const QUIET: QuietOptions = { busyAtMost: 0.15, windowMs: 500, maxWaitMs: 30_000 };

export interface QuietResult {
  /** How long it waited, ms. */
  waitedMs: number;
  /** The busy share of the last window. */
  busy: number;
  quiet: boolean;
}

const readMachineTimes = () => parseMachineTimes(readFileSync('/proc/stat', 'utf8'));

export async function untilMachineQuiet(options: QuietOptions = QUIET): Promise<QuietResult> {
  const start = performance.now();
  for (;;) {
    const before = readMachineTimes();
    await sleep(options.windowMs);
    const busy = busyShare(before, readMachineTimes());
    const waitedMs = performance.now() - start;
    if (busy <= options.busyAtMost) return { waitedMs, busy, quiet: true };
    if (waitedMs >= options.maxWaitMs) return { waitedMs, busy, quiet: false };
  }
}
