/**
 * Write-to-read lag: how long after command-api answered a command query-api shows it, under a
 * steady command load at half of the peak, against the floor of that path measured in the same run.
 *
 * Ours: command-api and query-api (from dist) on one database; the load is `PATCH
 * /v1/connector-profiles/:id` (a rename) at a fixed arrival rate, half the best closed-loop
 * throughput of a sweep. Every SAMPLE_EVERY-th command is sampled: as soon as its answer
 * (`{ id, version, position }`) arrives, the bench asks `GET /v1/connector-profiles/:id` with
 * `X-Min-Position: <position>`; the lag is the time from the command's answer to the query's
 * answer, counted only when that answer says `X-Consistency: caught-up` and carries the version
 * (or a later one). That is "visible" as the read-your-writes contract defines it: the event is
 * applied, the projection transaction has committed and its cache invalidation is done (the waiter
 * is woken after both), and one HTTP query returned it, so the query's own round trip is
 * included. Polling without the header would add the poll period to every sample.
 * The path: the command's commit, the outbox trigger's NOTIFY wakes the relay, Kafka produce,
 * query-api's consumer fetch, the projection transaction, the cache invalidation, the waiter.
 *
 * Floor (the baseline): one Kafka produce+consume round trip + one Postgres commit + one Redis
 * round trip (lib/floor-probes.ts), each measured many times under the same command load; p50s
 * and p99s summed. The ratio is floor p99 / our p99: 0.2 means our p99 is 5x the floor.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { Figure, SideResult } from '../figure';
import { BenchContext } from '../lib/context';
import { migrateCommandApi, RunningApp, startCommandApi } from '../lib/command-api';
import { CpuMeter, CpuProbe, listeningPid, pidProbe, postgresBackendsProbe, selfProbe } from '../lib/cpu';
import { FloorProbes, FloorSummary, summarizeFloor } from '../lib/floor-probes';
import { HttpAnswer, HttpLoader, LoadResult, Workload } from '../lib/http-loader';
import { migrateQueryApi, startQueryApi } from '../lib/query-api';
import { CommandAnswer, seedConnectorProfiles, waitUntilVisible } from '../lib/read-side';
import { percentile } from '../lib/stats';

/** More profiles than requests in flight, so that two commands never race on one stream. */
const PROFILES = 128;
/**
 * Spread over clients as real traffic is: every projection transaction also refreshes its client's
 * overview row, so one client for all would serialize the partitions on that row.
 */
const CLIENTS = 16;
const SAMPLE_EVERY = 4;
/** The fixed arrival rate is this share of the peak closed-loop throughput. */
const LOAD_SHARE = 0.5;
/** The query's wait: far above any lag we expect; a sample that runs out is counted stale. */
const MAX_WAIT_MS = 5_000;

/** Renames connector profiles, one command per profile at a time; samples some answers. */
class ProfileRenames implements Workload {
  private readonly idle: string[];
  private sequence = 0;
  /** Told about every SAMPLE_EVERY-th successful answer, at the moment it arrived. */
  onSample?: (profileId: string, answer: CommandAnswer, answeredAt: number) => void;

  constructor(profileIds: string[]) {
    this.idle = [...profileIds];
  }

  next() {
    this.sequence += 1;
    const sequence = this.sequence;
    // With every profile in flight (a stall), an unknown id: the command is answered 404 and
    // counted as failed, so that the arrival rate holds and the stall shows in the failures.
    const id = this.idle.shift() ?? randomUUID();
    return {
      call: {
        method: 'PATCH',
        path: `/v1/connector-profiles/${id}`,
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ name: `Renamed ${sequence}` }),
      },
      done: (answer: HttpAnswer | undefined) => {
        const answeredAt = performance.now();
        this.idle.push(id);
        if (!this.onSample || sequence % SAMPLE_EVERY !== 0 || !answer || answer.status !== 200) return;
        this.onSample(id, JSON.parse(answer.body) as CommandAnswer, answeredAt);
      },
    };
  }
}

export class WriteToReadLagFigure implements Figure {
  readonly name = 'write-to-read lag';
  readonly description = {
    ours: 'command answered -> query with X-Min-Position answered caught-up, sampled commands at half the peak command load',
    baseline:
      'floor: one Kafka round trip (acks=all) + one Postgres commit + one Redis round trip, measured under the same load',
  };
  readonly metrics = [
    {
      key: 'p99',
      label: 'write-to-read lag p99',
      unit: 'ms',
      better: 'lower',
      floor: 0.2,
      goal: 0.5,
      goalBound: 50,
    } as const,
    { key: 'p50', label: 'write-to-read lag p50', unit: 'ms', better: 'lower' } as const,
  ];

  private db = { url: '', name: '' };
  private pool?: Pool;
  private commandApi?: RunningApp;
  private queryApi?: RunningApp;
  private commands?: HttpLoader;
  private queries?: HttpLoader;
  private workload?: ProfileRenames;
  private floor?: FloorProbes;
  private broker?: CpuProbe;
  private peak = 0;
  private rate = 0;
  private idleFloor?: FloorSummary;
  private readonly sweepLog: string[] = [];
  private readonly roundLog: string[] = [];

  async prepare(ctx: BenchContext): Promise<void> {
    this.db = await ctx.createDatabase('lag');
    migrateCommandApi(this.db.url);
    migrateQueryApi(this.db.url);
    this.pool = new Pool({ connectionString: this.db.url, max: 1 });
    // Topics of its own: query-api would otherwise first have to read what the other figures of
    // the run published (hundreds of thousands of events) before any sample could be caught up.
    const topics = { KAFKA_TOPIC_PREFIX: `${ctx.topicPrefix}lag.` };
    this.commandApi = await startCommandApi(ctx, 'lag', this.db.url, topics);
    ctx.onCleanup(() => this.commandApi!.stop());
    this.queryApi = await startQueryApi(ctx, 'lag', this.db.url, topics);
    ctx.progress(`write-to-read lag: seeding ${PROFILES} connector profiles of ${CLIENTS} clients`);
    const perClient = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        seedConnectorProfiles(this.commandApi!.baseUrl, `bl-${ctx.runId}-${i}`, PROFILES / CLIENTS),
      ),
    );
    const profiles = perClient.flat();
    for (const answers of perClient) {
      const last = answers[answers.length - 1];
      await waitUntilVisible(this.queryApi.baseUrl, last.id, last.position);
    }

    this.commands = new HttpLoader(this.commandApi.baseUrl, 256);
    this.queries = new HttpLoader(this.queryApi.baseUrl, 256);
    this.workload = new ProfileRenames(profiles.map((profile) => profile.id));
    const brokerPid = listeningPid(ctx.kafkaBrokers[0]);
    if (brokerPid) this.broker = pidProbe('kafka broker (shared)', brokerPid);

    this.floor = new FloorProbes(ctx, this.db.url);
    await this.floor.start();
    const idleUntil = performance.now() + ctx.options.sweepSeconds * 1000;
    this.idleFloor = summarizeFloor(await this.floor.measureWhile(() => performance.now() > idleUntil));

    ctx.progress('write-to-read lag: sweeping the command load for its peak');
    for (const connections of ctx.options.sweep) {
      await this.commands.closedLoop(this.workload, connections, 300);
      const run = await this.commands.closedLoop(this.workload, connections, ctx.options.sweepSeconds * 1000);
      const throughput = (run.completed * 1000) / run.elapsedMs;
      this.sweepLog.push(`${connections} connections: ${throughput.toFixed(0)} cmd/s`);
      ctx.progress(`  ${connections} connections: ${throughput.toFixed(0)} cmd/s (${run.failures} failed)`);
      reportFailures(ctx, run);
      this.peak = Math.max(this.peak, throughput);
    }
    this.rate = Math.max(10, Math.round(this.peak * LOAD_SHARE));
    ctx.progress(`write-to-read lag: peak ${this.peak.toFixed(0)} cmd/s; load at ${this.rate} cmd/s`);
  }

  async runOurs(ctx: BenchContext): Promise<SideResult> {
    await this.untilProjectionsCaughtUp();
    const lags: number[] = [];
    const queries = this.queries!;
    let stale = 0;
    const sampling = new Set<Promise<void>>();
    this.workload!.onSample = (profileId, answer, answeredAt) => {
      const sample = queries
        .request({
          method: 'GET',
          path: `/v1/connector-profiles/${profileId}`,
          headers: { 'x-min-position': answer.position, 'x-max-wait-ms': String(MAX_WAIT_MS) },
        })
        .then((read) => {
          const visible =
            read.status === 200 &&
            read.headers['x-consistency'] === 'caught-up' &&
            (JSON.parse(read.body) as { version: number }).version >= answer.version;
          if (visible) lags.push(performance.now() - answeredAt);
          else stale += 1;
        })
        .catch(() => void (stale += 1))
        .finally(() => sampling.delete(sample));
      sampling.add(sample);
    };
    const meter = this.meter(ctx);
    await meter.start();
    const load = await this.commands!.fixedRate(this.workload!, this.rate, ctx.options.durationSeconds * 1000);
    this.workload!.onSample = undefined;
    await Promise.all(sampling);
    const cpu = await meter.stop(load.completed);
    reportFailures(ctx, load);
    if (stale > 0) ctx.progress(`  ${stale} sampled queries were not caught up within ${MAX_WAIT_MS} ms`);
    const details = { samples: lags.length, stale, commands: load.completed, rate: this.rate };
    return {
      p99: { value: percentile(lags, 99), operations: load.completed, failures: load.failures + stale, cpu, details },
      p50: { value: percentile(lags, 50), operations: lags.length, cpu: [] },
    };
  }

  async runBaseline(ctx: BenchContext, round: number): Promise<SideResult> {
    await this.untilProjectionsCaughtUp();
    const meter = this.meter(ctx);
    await meter.start();
    let loading = true;
    const load = this.commands!.fixedRate(this.workload!, this.rate, ctx.options.durationSeconds * 1000).finally(
      () => (loading = false),
    );
    const floor = summarizeFloor(await this.floor!.measureWhile(() => !loading));
    const commands = await load;
    const cpu = await meter.stop(commands.completed);
    reportFailures(ctx, commands);
    this.roundLog.push(`round ${round}: ${describeFloor(floor)}`);
    return {
      p99: { value: floor.p99, operations: commands.completed, failures: commands.failures, cpu, details: flat(floor) },
      p50: { value: floor.p50, operations: floor.samples, cpu: [] },
    };
  }

  async teardown(): Promise<void> {
    await this.floor?.stop();
    this.commands?.close();
    this.queries?.close();
    await this.queryApi?.stop();
    await this.commandApi?.stop();
    await this.pool?.end();
  }

  notes(): string[] {
    return [
      `write-to-read lag: peak ${this.peak.toFixed(0)} cmd/s (sweep: ${this.sweepLog.join('; ')}); both sides under PATCH /v1/connector-profiles/:id at ${this.rate} cmd/s, every ${SAMPLE_EVERY}th command sampled`,
      `write-to-read lag: visible = GET with X-Min-Position answered caught-up with the new version, timed from the command's answer (includes that query's round trip)`,
      `write-to-read lag floor under load, ${this.roundLog.join('; ')}`,
      ...(this.idleFloor ? [`write-to-read lag floor with no load: ${describeFloor(this.idleFloor)}`] : []),
    ];
  }

  /**
   * Waits until query-api has applied every stored event (both apps share the database), so that
   * no run inherits the backlog of the sweep or of the previous run.
   */
  private async untilProjectionsCaughtUp(): Promise<void> {
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline) {
      const [{ behind }] = await this.pool!.query(
        `SELECT (SELECT count(*) FROM events) - (SELECT count(*) FROM read_model.applied_events) AS behind`,
      ).then((result) => result.rows as { behind: string }[]);
      if (Number(behind) <= 0) return;
      await sleep(50);
    }
    throw new Error('query-api did not catch up with the event store within 120 s');
  }

  private meter(ctx: BenchContext): CpuMeter {
    return new CpuMeter([
      pidProbe('command-api', this.commandApi!.pid),
      pidProbe('query-api', this.queryApi!.pid),
      selfProbe('bench process (loader, floor probes)'),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.db.name),
      ...(this.broker ? [this.broker] : []),
    ]);
  }
}

function describeFloor(floor: FloorSummary): string {
  const part = (name: keyof FloorSummary['parts']) =>
    `${name} ${floor.parts[name].p50.toFixed(2)}/${floor.parts[name].p99.toFixed(2)}`;
  return `p50/p99 ms ${part('kafka')}, ${part('postgres')}, ${part('redis')} = ${floor.p50.toFixed(2)}/${floor.p99.toFixed(2)} (${floor.samples} samples each)`;
}

function flat(floor: FloorSummary): Record<string, number> {
  const details: Record<string, number> = { samples: floor.samples };
  for (const [name, { p50, p99 }] of Object.entries(floor.parts)) {
    details[`${name}P50`] = p50;
    details[`${name}P99`] = p99;
  }
  return details;
}

function reportFailures(ctx: BenchContext, run: LoadResult) {
  for (const sample of run.failureSamples) ctx.progress(`  failure: ${sample}`);
}
