/** Runs pgbench (the PostgreSQL client on PATH) with a custom script and reads its results. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface PgbenchRun {
  databaseUrl: string;
  scriptFile: string;
  clients: number;
  seconds: number;
  /** Fixed arrival rate (transactions/s over all clients); latencies are then logged per transaction. */
  rate?: number;
  /** Where per-transaction logs go (required with `rate`). */
  logDir?: string;
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  failures: number;
  /** Per-transaction latency incl. schedule lag, ms (only with `rate`). */
  latencies: number[];
}

export async function runPgbench(run: PgbenchRun): Promise<PgbenchResult> {
  const url = new URL(run.databaseUrl);
  const args = [
    '-n', // no vacuum of pgbench's own tables (we have none)
    '-M',
    'prepared',
    '-f',
    run.scriptFile,
    '-c',
    String(run.clients),
    '-j',
    String(Math.min(run.clients, 2)),
    '-T',
    String(Math.max(1, Math.round(run.seconds))),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username || 'postgres'),
  ];
  const prefix = run.logDir ? join(run.logDir, `pgbench_log_${Date.now()}`) : undefined;
  if (run.rate !== undefined) {
    if (!prefix) throw new Error('a fixed-rate pgbench run needs logDir');
    args.push('-R', String(run.rate), '-l', `--log-prefix=${prefix}`);
  }
  args.push(decodeURIComponent(url.pathname.slice(1)));
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('pgbench', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}:\n${text}`))));
  });
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? NaN);
  const result: PgbenchResult = {
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    transactions: number(/number of transactions actually processed: (\d+)/),
    failures: number(/number of failed transactions: (\d+)/) || 0,
    latencies: [],
  };
  if (Number.isNaN(result.tps)) throw new Error(`could not read pgbench's output:\n${output}`);
  if (prefix && run.logDir) {
    const base = prefix.slice(run.logDir.length + 1);
    for (const file of readdirSync(run.logDir).filter((name) => name.startsWith(base))) {
      const path = join(run.logDir, file);
      // client_id transaction_no time script_no time_epoch time_us [schedule_lag], times in µs
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields.length < 6) continue;
        result.latencies.push((Number(fields[2]) + Number(fields[6] ?? 0)) / 1000);
      }
      rmSync(path);
    }
  }
  return result;
}
