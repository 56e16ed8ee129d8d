import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * When a process we signalled has really ended. Its command line (/proc/<pid>/cmdline) empties
 * partway through its exit, while it still runs, so that is no sign of an end. Its
 * /proc/<pid>/stat is: gone, a zombie (ended, awaiting its reaper), or another start time (the pid
 * reused by another process) all mean ended. Off Linux, only "gone" is seen.
 */

/** The process's start time (an identity for `pid` over time), or undefined when it is gone. */
export function startTimeOf(pid: number): string | undefined {
  if (process.platform !== 'linux') return isAlive(pid) ? '' : undefined;
  return statOf(pid)?.startTime;
}

/** Whether the process that `startTimeOf` described has ended. */
export function hasEnded(pid: number, startTime: string | undefined): boolean {
  if (startTime === undefined) return true;
  if (process.platform !== 'linux') return !isAlive(pid);
  const stat = statOf(pid);
  return !stat || stat.startTime !== startTime || stat.state === 'Z' || stat.state === 'X';
}

/** Waits up to `timeoutMs` for that end; true when it came. */
export async function waitForEnd(pid: number, startTime: string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!hasEnded(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Sends `name` to `pid`; a process that has ended meanwhile (ESRCH) is no error. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** State and start time: the 1st and 20th fields after the command name in /proc/<pid>/stat. */
function statOf(pid: number): { state: string; startTime: string } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()?.split(' ') ?? [];
    return { state: fields[0], startTime: fields[19] };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
