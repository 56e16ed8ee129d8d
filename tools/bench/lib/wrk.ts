/**
 * wrk (C, epoll; Debian package `wrk`) as the closed-loop HTTP loader of the cached-query and
 * command-throughput figures: a Node loader in the bench process costs more CPU per request than
 * a bare Fastify server, so on 2 cores it would measure itself. wrk's own CPU is reported (reaped
 * child time). A Lua script (`script`) drives workloads that depend on the answers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { BenchContext } from './context';

export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  /** Non-2xx/3xx answers plus socket errors. */
  failures: number;
}

/** Makes sure wrk is on PATH; on a Debian machine as root it installs the package once. */
export function ensureWrk(ctx: BenchContext): void {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  const root = process.getuid?.() === 0;
  if (root && spawnSync('apt-get', ['--version']).error === undefined) {
    ctx.progress('wrk is not installed: apt-get install -y wrk');
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { encoding: 'utf8' });
    if (install.status === 0 && spawnSync('wrk', ['--version']).error === undefined) return;
    ctx.progress(`apt-get install wrk failed:\n${install.stdout}${install.stderr}`);
  }
  throw new Error(
    'the read-side HTTP figures need wrk (the Debian package `wrk`): run `apt-get update && apt-get install -y wrk` as root',
  );
}

/** `connections` keep-alive connections on one wrk thread, GET `url` for `seconds`. */
export async function runWrk(
  url: string,
  connections: number,
  seconds: number,
  headers: string[] = [],
  script?: { file: string; args: string[] },
): Promise<WrkResult> {
  const args = ['-t', '1', '-c', String(connections), '-d', `${Math.max(1, Math.round(seconds))}s`];
  for (const header of headers) args.push('-H', header);
  if (script) args.push('-s', script.file);
  args.push(url);
  if (script) args.push('--', ...script.args);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`))));
  });
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  if (Number.isNaN(requestsPerSecond)) throw new Error(`could not read wrk's output:\n${output}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond,
    requests: number(/(\d+) requests in/),
    failures:
      number(/Non-2xx or 3xx responses: (\d+)/) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}
