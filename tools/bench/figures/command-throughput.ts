/**
 * Command throughput: HTTP commands per second against a real command-api process, against the
 * same transaction shape run by pgbench straight on Postgres (the database's ceiling).
 *
 * Ours: `POST /v1/client-configs` (create) and `PATCH /v1/client-configs/:id` (settings merge
 * patch), each with an Idempotency-Key as clients are asked to send; a stream gets 4 patches after
 * its create, so the mix is 20% creates, 80% updates and streams stay short. Closed loop at the
 * best connection count of a sweep, then a fixed arrival rate run (half the best throughput) for
 * p50/p99. Each command is one transaction: idempotency claim, stream read, event + outbox append,
 * write-model upsert, idempotency record update.
 *
 * The closed loop (sweep and measured runs) is driven by wrk with a Lua script of the same
 * workload (lib/client-config-commands.lua): a C loader, as pgbench is on the other side, so that
 * the loader's CPU does not take the app's share of the 2 cores. The fixed-rate runs use the
 * Node loader (schedule-based latency, no coordinated omission) at half that load.
 *
 * Baseline: pgbench, prepared statements, one transaction per command: the event insert with the
 * same columns and payload plus its outbox row (the same CTE statement shape as appendToStream),
 * then the write-model upsert. It does not read the stream nor claim an idempotency key: the ratio
 * is the price of the whole stack (HTTP, Nest, validation, idempotency, the decider's read).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Figure, SideResult } from '../figure';
import { BenchContext } from '../lib/context';
import { migrateCommandApi, RunningApp, startCommandApi } from '../lib/command-api';
import { childrenProbe, CpuMeter, CpuProbe, pidProbe, postgresBackendsProbe, postgresClusterProbe } from '../lib/cpu';
import { HttpAnswer, HttpLoader, LoadResult, Workload } from '../lib/http-loader';
import { createBody, createdEventData, eventMetadata } from '../lib/payloads';
import { ensureWrk, runWrk, WrkResult } from '../lib/wrk';
import { runPgbench } from '../lib/pgbench';
import { percentile } from '../lib/stats';

const PATCHES_PER_STREAM = 4;
/** The fixed arrival rate is this share of our best closed-loop throughput (both sides get the same rate). */
const RATE_SHARE = 0.5;

/** Creates client configs and patches their settings, never two commands on one stream at once. */
class ClientConfigWorkload implements Workload {
  private readonly idle: { id: string; patches: number }[] = [];
  private sequence = 0;

  constructor(private readonly runId: string) {}

  next() {
    this.sequence += 1;
    const key = `bench-${this.runId}-${this.sequence}`;
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };
    const stream = this.idle.pop();
    if (!stream) {
      const clientId = `b${this.runId}-${this.sequence}`;
      return {
        call: { method: 'POST', path: '/v1/client-configs', headers, body: JSON.stringify(createBody(clientId)) },
        done: (answer: HttpAnswer | undefined) => {
          if (answer?.status === 201)
            this.idle.push({ id: (JSON.parse(answer.body) as { id: string }).id, patches: 0 });
        },
      };
    }
    const settings = { theme: this.sequence % 2 === 0 ? 'dark' : 'light', refreshSeconds: this.sequence % 300 };
    return {
      call: { method: 'PATCH', path: `/v1/client-configs/${stream.id}`, headers, body: JSON.stringify({ settings }) },
      done: () => {
        stream.patches += 1;
        if (stream.patches < PATCHES_PER_STREAM) this.idle.push(stream);
      },
    };
  }
}

/** JSON as an SQL literal body; a space after each colon so that pgbench sees no `:variable`. */
const sqlJson = (value: unknown) => JSON.stringify(value).replaceAll('":', '": ').replaceAll("'", "''");

function pgbenchScript(topic: string): string {
  const data = sqlJson(createdEventData('bench-client'));
  const metadata = sqlJson(eventMetadata(randomUUID(), 'bench-idempotency-key-000000'));
  const settings = sqlJson(createBody('x').settings);
  // A random v4-shaped uuid from 95 random bits per transaction: a new stream each time.
  const id = `(lpad(to_hex(:a::bigint), 8, '0') || '-' || lpad(to_hex(:b::bigint), 4, '0') || '-4000-8000-' || lpad(to_hex(:c::bigint), 12, '0'))`;
  return `\\set a random(0, 4294967295)
\\set b random(0, 65535)
\\set c random(0, 140737488355327)
BEGIN;
WITH current AS (
  SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_type = 'client-config' AND stream_id = ${id}
), inserted AS (
  INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type, schema_version, data, metadata)
  SELECT gen_random_uuid(), 'client-config', ${id}, current.version + 1, 'client-config.created', 2, '${data}'::jsonb, '${metadata}'::jsonb
    FROM current
  RETURNING position, stream_id
)
INSERT INTO outbox (event_position, topic, message_key) SELECT position, '${topic}', stream_id FROM inserted;
INSERT INTO client_configs (id, client_id, display_name, timezone, currency, settings, feature_flags, status, version)
VALUES (${id}::uuid, 'c' || :a::bigint || '-' || :b::bigint || '-' || :c::bigint, 'Bench client', 'Europe/Paris', 'EUR', '${settings}'::jsonb, '{"beta-dashboard": true}'::jsonb, 'active', 1)
ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, timezone = excluded.timezone,
  currency = excluded.currency, settings = excluded.settings, feature_flags = excluded.feature_flags,
  status = excluded.status, version = excluded.version, updated_at = now();
COMMIT;
`;
}

export class CommandThroughputFigure implements Figure {
  readonly name = 'command throughput';
  readonly description = {
    ours: 'HTTP POST/PATCH /v1/client-configs (20% creates) against command-api, closed loop at the best concurrency',
    baseline: 'pgbench: event + outbox insert and write-model upsert in one transaction, best client count',
  };
  readonly metrics = [
    { key: 'throughput', label: 'command throughput', unit: 'cmd/s', better: 'higher', floor: 0.3, goal: 0.6 } as const,
    { key: 'p50', label: 'command latency p50 (fixed rate)', unit: 'ms', better: 'lower' } as const,
    { key: 'p99', label: 'command latency p99 (fixed rate)', unit: 'ms', better: 'lower' } as const,
  ];

  private app?: RunningApp;
  private loader?: HttpLoader;
  private workload?: ClientConfigWorkload;
  private ours = { url: '', name: '' };
  private base = { url: '', name: '' };
  private script = '';
  private cluster?: CpuProbe;
  private oursConnections = 0;
  private baselineClients = 0;
  private rate = 0;
  private readonly sweepLog: string[] = [];
  private createBodyFile = '';
  private wrkRuns = 0;

  async prepare(ctx: BenchContext): Promise<void> {
    this.ours = await ctx.createDatabase('cmd_ours');
    this.base = await ctx.createDatabase('cmd_pgbench');
    ctx.progress('command throughput: migrating both databases with command-api migrate');
    migrateCommandApi(this.ours.url);
    migrateCommandApi(this.base.url);
    this.script = join(ctx.workDir, 'command.pgbench.sql');
    writeFileSync(this.script, pgbenchScript(`${ctx.topicPrefix}analytics.client-config.events`));
    this.cluster = await postgresClusterProbe(ctx.databaseUrl('postgres'));
    ensureWrk(ctx);
    this.createBodyFile = join(ctx.workDir, 'create-client-config.json');
    writeFileSync(this.createBodyFile, JSON.stringify(createBody('CLIENT_ID')));

    this.app = await startCommandApi(ctx, 'commands', this.ours.url);
    ctx.onCleanup(() => this.app!.stop());
    this.loader = new HttpLoader(this.app.baseUrl, Math.max(...ctx.options.sweep, 64));
    this.workload = new ClientConfigWorkload(ctx.runId);
    ctx.progress(`command throughput: command-api up at ${this.app.baseUrl} (pid ${this.app.pid}); sweeping`);

    await this.loader.closedLoop(this.workload, 4, 500); // connect and warm up
    let best = 0;
    for (const connections of ctx.options.sweep) {
      const run = await this.commandsWithWrk(ctx, connections, ctx.options.sweepSeconds);
      this.sweepLog.push(`ours ${connections} connections: ${run.requestsPerSecond.toFixed(0)} cmd/s`);
      ctx.progress(
        `  ours, ${connections} connections: ${run.requestsPerSecond.toFixed(0)} cmd/s (${run.failures} failed)`,
      );
      if (run.requestsPerSecond > best) [best, this.oursConnections] = [run.requestsPerSecond, connections];
    }
    let bestTps = 0;
    for (const clients of ctx.options.sweep) {
      const run = await runPgbench({
        databaseUrl: this.base.url,
        scriptFile: this.script,
        clients,
        seconds: ctx.options.sweepSeconds,
      });
      this.sweepLog.push(`pgbench ${clients} clients: ${run.tps.toFixed(0)} tps`);
      ctx.progress(`  pgbench, ${clients} clients: ${run.tps.toFixed(0)} tps (${run.failures} failed)`);
      if (run.tps > bestTps) [bestTps, this.baselineClients] = [run.tps, clients];
    }
    this.rate = Math.max(10, Math.round(best * RATE_SHARE));
    ctx.progress(
      `command throughput: ours at ${this.oursConnections} connections, pgbench at ${this.baselineClients} clients, fixed rate ${this.rate}/s`,
    );
  }

  async runOurs(ctx: BenchContext): Promise<SideResult> {
    const meter = new CpuMeter([
      pidProbe('command-api', this.app!.pid),
      childrenProbe('wrk'),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.ours.name),
      ...(this.cluster ? [this.cluster] : []),
    ]);
    await meter.start();
    const closed = await this.commandsWithWrk(ctx, this.oursConnections, ctx.options.durationSeconds);
    await sleep(300); // wrk reaped: its CPU is in the children's time
    const cpu = await meter.stop(closed.requests);
    const open = await this.loader!.fixedRate(this.workload!, this.rate, ctx.options.durationSeconds * 1000);
    reportFailures(ctx, open);
    return this.result(closed.requestsPerSecond, closed.requests, closed.failures, cpu, open.latencies, open.failures, {
      connections: this.oursConnections,
    });
  }

  async runBaseline(ctx: BenchContext): Promise<SideResult> {
    const meter = new CpuMeter([
      childrenProbe('pgbench'),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.base.name),
      ...(this.cluster ? [this.cluster] : []),
    ]);
    await meter.start();
    const closed = await runPgbench({
      databaseUrl: this.base.url,
      scriptFile: this.script,
      clients: this.baselineClients,
      seconds: ctx.options.durationSeconds,
    });
    // Let pgbench's backends exit and be reaped first: caught in between (zombies), their CPU
    // reads as neither a live process nor the postmaster's children time.
    await sleep(300);
    const cpu = await meter.stop(closed.transactions);
    const open = await runPgbench({
      databaseUrl: this.base.url,
      scriptFile: this.script,
      clients: this.baselineClients,
      seconds: ctx.options.durationSeconds,
      rate: this.rate,
      logDir: ctx.workDir,
    });
    return this.result(closed.tps, closed.transactions, closed.failures, cpu, open.latencies, open.failures, {
      clients: this.baselineClients,
    });
  }

  /** The closed-loop workload with wrk; every run has its own idempotency keys and client ids. */
  private commandsWithWrk(ctx: BenchContext, connections: number, seconds: number): Promise<WrkResult> {
    this.wrkRuns += 1;
    return runWrk(`${this.app!.baseUrl}`, connections, seconds, [], {
      file: join(__dirname, '..', 'lib', 'client-config-commands.lua'),
      args: [`w${ctx.runId}-${this.wrkRuns}`, this.createBodyFile],
    });
  }

  async teardown(): Promise<void> {
    this.loader?.close();
    await this.app?.stop();
  }

  notes(): string[] {
    return [
      `command throughput: ours at ${this.oursConnections} HTTP connections (wrk, 1 thread, lib/client-config-commands.lua), pgbench at ${this.baselineClients} clients (sweep: ${this.sweepLog.join('; ')})`,
      `command latency: both sides at a fixed ${this.rate} cmd/s (${RATE_SHARE * 100}% of our best sweep step), latency from the scheduled start`,
      'command throughput: the baseline neither reads the stream nor claims an idempotency key; ours does both, over HTTP',
    ];
  }

  private result(
    throughput: number,
    operations: number,
    failures: number,
    cpu: SideResult[string]['cpu'],
    latencies: number[],
    latencyFailures: number,
    details: Record<string, number>,
  ): SideResult {
    const latency = (value: number) => ({ value, operations: latencies.length, failures: latencyFailures, cpu: [] });
    return {
      throughput: { value: throughput, operations, failures, cpu, details },
      p50: latency(percentile(latencies, 50)),
      p99: latency(percentile(latencies, 99)),
    };
  }
}

function reportFailures(ctx: BenchContext, run: LoadResult) {
  for (const sample of run.failureSamples) ctx.progress(`  failure: ${sample}`);
}
