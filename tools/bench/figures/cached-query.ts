/**
 * Cached query: requests/s of a cache hit against a real query-api process, against a bare
 * Fastify server answering a fixed JSON body of the same size (the HTTP stack's ceiling).
 *
 * Ours: command-api writes a client and a few connector profiles, query-api (from dist) projects
 * them; command-api is then stopped. `GET /v1/connector-profiles/:id` of one profile is hammered:
 * after its first load every request is a Redis cache hit (checked with query-api's
 * `cache_requests_total`), so a request is routing, query validation, one Redis GET of the entry
 * (with its generation tokens), serialization and the request log line.
 * Baseline: a bare Fastify server in its own process answering every GET with exactly the bytes
 * query-api answered (same size, same content type), no plugins, no logging.
 *
 * Both sides: wrk (one thread, keep-alive) closed loop at the best connection count of a sweep,
 * then p50/p99 at a fixed arrival rate (half our best throughput, the same rate on both sides) by
 * the bench's Node loader, timed from the scheduled start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Figure, SideResult } from '../figure';
import { BenchContext } from '../lib/context';
import { migrateCommandApi, RunningApp, startCommandApi } from '../lib/command-api';
import { childrenProbe, CpuMeter, CpuProbe, listeningPid, pidProbe, selfProbe } from '../lib/cpu';
import { HttpLoader, Workload } from '../lib/http-loader';
import { migrateQueryApi, startQueryApi } from '../lib/query-api';
import { startServerProcess } from '../lib/server-process';
import { cacheRequests, seedConnectorProfiles, waitUntilVisible } from '../lib/read-side';
import { percentile } from '../lib/stats';
import { ensureWrk, runWrk } from '../lib/wrk';
import { freePort } from '../../../test/harness/app-process';

const PROFILES = 20;
/** The fixed arrival rate is this share of our best closed-loop throughput (both sides get the same rate). */
const RATE_SHARE = 0.5;

/** The same GET over and over. */
const sameGet = (path: string): Workload => ({
  next: () => ({ call: { method: 'GET', path, headers: {} }, done: () => undefined }),
});

interface Side {
  label: string;
  app?: RunningApp;
  url: string;
  connections: number;
  loader?: HttpLoader;
}

export class CachedQueryFigure implements Figure {
  readonly name = 'cached query';
  readonly description = {
    ours: 'GET /v1/connector-profiles/:id against query-api, every request a Redis cache hit, wrk closed loop at the best concurrency',
    baseline: 'bare Fastify process answering the same bytes (fixed JSON), same loader and sweep',
  };
  readonly metrics = [
    { key: 'throughput', label: 'cached query', unit: 'req/s', better: 'higher', floor: 0.3, goal: 0.6 } as const,
    { key: 'p50', label: 'cached query p50 (fixed rate)', unit: 'ms', better: 'lower' } as const,
    { key: 'p99', label: 'cached query p99 (fixed rate)', unit: 'ms', better: 'lower' } as const,
  ];

  private readonly ours: Side = { label: 'query-api', url: '', connections: 0 };
  private readonly base: Side = { label: 'bare fastify', url: '', connections: 0 };
  private redis?: CpuProbe;
  private bodyBytes = 0;
  private rate = 0;
  private hitRatio = NaN;
  private readonly sweepLog: string[] = [];

  async prepare(ctx: BenchContext): Promise<void> {
    ensureWrk(ctx);
    const db = await ctx.createDatabase('query');
    migrateCommandApi(db.url);
    migrateQueryApi(db.url);
    // Topics of its own: not the backlog the other figures of the run published.
    const topics = { KAFKA_TOPIC_PREFIX: `${ctx.topicPrefix}query.` };
    const commandApi = await startCommandApi(ctx, 'query', db.url, topics);
    ctx.onCleanup(() => commandApi.stop());
    this.ours.app = await startQueryApi(ctx, 'cached', db.url, topics);
    ctx.progress(`cached query: seeding ${PROFILES} connector profiles through command-api`);
    const profiles = await seedConnectorProfiles(commandApi.baseUrl, `bq-${ctx.runId}`, PROFILES);
    const target = profiles[PROFILES - 1];
    const body = await waitUntilVisible(this.ours.app.baseUrl, target.id, target.position);
    await commandApi.stop();
    this.ours.url = `${this.ours.app.baseUrl}/v1/connector-profiles/${target.id}`;

    this.bodyBytes = Buffer.byteLength(body);
    const bodyFile = join(ctx.workDir, 'cached-query-body.json');
    writeFileSync(bodyFile, body);
    const port = await freePort();
    this.base.app = await startServerProcess(
      ctx,
      'bare-fastify',
      [
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, '..', 'lib', 'fixed-json-server.ts'),
        String(port),
        bodyFile,
      ],
      `http://127.0.0.1:${port}`,
      '/health',
      {},
    );
    this.base.url = `${this.base.app.baseUrl}/v1/connector-profiles/${target.id}`;
    const redisPid = listeningPid(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').host);
    if (redisPid) this.redis = pidProbe('redis-server (shared)', redisPid);

    ctx.progress(`cached query: ${this.bodyBytes} bytes per answer; sweeping both sides with wrk`);
    let best = 0;
    for (const side of [this.ours, this.base]) {
      let sideBest = 0;
      for (const connections of ctx.options.sweep) {
        const run = await runWrk(side.url, connections, ctx.options.sweepSeconds);
        this.sweepLog.push(`${side.label} ${connections}: ${run.requestsPerSecond.toFixed(0)} req/s`);
        ctx.progress(`  ${side.label}, ${connections} connections: ${run.requestsPerSecond.toFixed(0)} req/s`);
        if (run.requestsPerSecond > sideBest) [sideBest, side.connections] = [run.requestsPerSecond, connections];
      }
      if (side === this.ours) best = sideBest;
      side.loader = new HttpLoader(side.app!.baseUrl, 256);
    }
    this.rate = Math.max(50, Math.round(best * RATE_SHARE));
    ctx.progress(
      `cached query: ours at ${this.ours.connections}, bare Fastify at ${this.base.connections} connections; fixed rate ${this.rate}/s`,
    );
  }

  runOurs(ctx: BenchContext): Promise<SideResult> {
    return this.run(ctx, this.ours);
  }

  runBaseline(ctx: BenchContext): Promise<SideResult> {
    return this.run(ctx, this.base);
  }

  async teardown(): Promise<void> {
    for (const side of [this.ours, this.base]) {
      side.loader?.close();
      await side.app?.stop();
    }
  }

  notes(): string[] {
    return [
      `cached query: ${this.bodyBytes}-byte answers; ours at ${this.ours.connections} connections, bare Fastify at ${this.base.connections} (wrk, 1 thread; sweep: ${this.sweepLog.join('; ')})`,
      `cached query: ${(this.hitRatio * 100).toFixed(1)}% of our measured requests were cache hits (query-api's cache_requests_total); the latency rows are both sides at a fixed ${this.rate} req/s (${RATE_SHARE * 100}% of our best), Node loader, from the scheduled start`,
      'cached query: the loader (wrk) runs on the same 2 cores as the servers: its CPU per request is in the CPU table; Redis is the machine-wide server, shared',
    ];
  }

  private async run(ctx: BenchContext, side: Side): Promise<SideResult> {
    const ours = side === this.ours;
    const hitsBefore = ours ? await cacheRequests(side.app!.baseUrl) : {};
    const meter = new CpuMeter([
      pidProbe(side.label, side.app!.pid),
      childrenProbe('wrk'),
      ...(this.redis ? [this.redis] : []),
    ]);
    await meter.start();
    const closed = await runWrk(side.url, side.connections, ctx.options.durationSeconds);
    const cpu = await meter.stop(closed.requests);
    if (ours) {
      const after = await cacheRequests(side.app!.baseUrl);
      const delta = (result: string) => (after[result] ?? 0) - (hitsBefore[result] ?? 0);
      const total = Object.keys(after).reduce((sum, result) => sum + delta(result), 0);
      this.hitRatio = total > 0 ? delta('hit') / total : NaN;
    }
    const path = new URL(side.url).pathname;
    const loaderMeter = new CpuMeter([pidProbe(side.label, side.app!.pid), selfProbe('bench loader (fixed rate)')]);
    await loaderMeter.start();
    const open = await side.loader!.fixedRate(sameGet(path), this.rate, ctx.options.durationSeconds * 1000);
    const openCpu = await loaderMeter.stop(open.completed);
    for (const sample of open.failureSamples) ctx.progress(`  failure: ${sample}`);
    const latency = (value: number) => ({
      value,
      operations: open.completed,
      failures: open.failures,
      cpu: openCpu,
    });
    return {
      throughput: {
        value: closed.requestsPerSecond,
        operations: closed.requests,
        failures: closed.failures,
        cpu,
        details: { connections: side.connections },
      },
      p50: latency(percentile(open.latencies, 50)),
      p99: latency(percentile(open.latencies, 99)),
    };
  }
}
