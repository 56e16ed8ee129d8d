/**
 * Rebuild: events/s that `projections:rebuild all` replays from command-api's event feed into a
 * new read-model schema.
 *
 * History: about N events of the three streams (the read-side e2e tests' writeHistory mix) in a
 * command-api event store, its outbox marked published (the relay stays idle); a command-api
 * process on it serves the feed `GET /v1/events`, read through once before the rounds (warm-up).
 *
 * Ours: each round, `node dist/apps/query-api/main.js projections:rebuild all` against one read
 * database (migrated once; from round 2 on its live read_model is the previous round's rebuild,
 * nothing else runs): pages of PROJECTIONS_REBUILD_PAGE_SIZE = 1000 split by stream into
 * PROJECTIONS_REBUILD_CONCURRENCY = 4 transactions of the live engine, then the switch. The
 * figure is the rate the CLI reports: events over the replay (first feed read to feed drained),
 * which excludes the process start, creating read_model_next and the switch; the wall time of the
 * whole process is in the details.
 *
 * Baseline: SQL-only replay of the same events into a fresh read_model (a new database migrated
 * with the read side's migrations, not timed): the events table read with plain SQL in pages of
 * the same size (keyset on position, the next page fetched while one is applied, as the CLI
 * does), each page split into the same 4 lanes by the same stream hash, each lane one
 * transaction of the same final-state upserts (lib/sql-only-projector.ts).
 */
import { toEnvelope, toRecordedEvent } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Pool } from 'pg';
import { ProjectedEvent } from '../../../apps/query-api/src/projections/projected-event';
import { EventFeedClient } from '../../../apps/query-api/src/projections/rebuild/event-feed.client';
import { laneOf, readModelChecksum } from '../../../apps/query-api/src/projections/rebuild/projection-rebuilder';
import { CpuShare, Figure, SideResult } from '../figure';
import { RunningApp, startCommandApi } from '../lib/command-api';
import { BenchContext } from '../lib/context';
import {
  childrenProbe,
  CpuMeter,
  CpuProbe,
  pidProbe,
  postgresBackendsProbe,
  postgresClusterProbe,
  selfProbe,
} from '../lib/cpu';
import { migrateQueryApi, RebuildRun, runRebuild } from '../lib/query-api';
import { writeEventHistory } from '../lib/read-side-history';
import { SqlOnlyProjector } from '../lib/sql-only-projector';

/** query-api's PROJECTIONS_REBUILD_PAGE_SIZE and PROJECTIONS_REBUILD_CONCURRENCY defaults, set explicitly. */
const PAGE_SIZE = 1000;
const LANES = 4;

export class ProjectionRebuildFigure implements Figure {
  readonly name = 'rebuild';
  readonly description = {
    ours: '`projections:rebuild all` replaying the event feed of a command-api process into read_model_next',
    baseline: 'SQL-only replay: the events table read with plain SQL, same pages and lanes, the same upserts',
  };
  readonly metrics = [
    { key: 'rebuild', label: 'rebuild replay', unit: 'events/s', better: 'higher', floor: 0.3, goal: 0.6 } as const,
  ];

  private events = { name: '', url: '' };
  private read = { name: '', url: '' };
  private total = 0;
  private commandApi?: RunningApp;
  private eventsPool?: Pool;
  private cluster?: CpuProbe;
  private readonly checksums = new Map<string, string>();
  private readonly wall: number[] = [];

  async prepare(ctx: BenchContext): Promise<void> {
    const topics = new TopicNames(`${ctx.topicPrefix}rebuild.`);
    ctx.progress(`rebuild: writing about ${ctx.options.historyEvents} events of history`);
    const history = await writeEventHistory(ctx, 'rebuild_events', topics, ctx.options.historyEvents);
    this.events = history.database;
    this.total = history.events;
    this.eventsPool = new Pool({ connectionString: this.events.url, max: 2 });
    // The history is only read through the feed here: nothing for the relay to publish.
    await this.eventsPool.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
    this.read = await ctx.createDatabase('rebuild_read');
    migrateQueryApi(this.read.url);
    this.commandApi = await startCommandApi(ctx, 'rebuild-feed', this.events.url, {
      KAFKA_TOPIC_PREFIX: `${ctx.topicPrefix}rebuild.`,
    });
    ctx.onCleanup(() => this.commandApi!.stop());
    const started = performance.now();
    const fed = await readWholeFeed(new EventFeedClient(this.commandApi.baseUrl));
    if (fed !== this.total) throw new Error(`the feed returned ${fed} events, the store holds ${this.total}`);
    ctx.progress(
      `rebuild: ${this.total} events; command-api up (pid ${this.commandApi.pid}), feed read once in ${Math.round(performance.now() - started)} ms`,
    );
    this.cluster = await postgresClusterProbe(ctx.databaseUrl('postgres'));
  }

  async runOurs(ctx: BenchContext, round: number): Promise<SideResult> {
    const meter = new CpuMeter([
      childrenProbe('projections:rebuild CLI (whole process)'),
      pidProbe('command-api (feed)', this.commandApi!.pid),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.read.name, 'postgres (read db backends)'),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), this.events.name, 'postgres (event store backends)'),
      ...(this.cluster ? [this.cluster] : []),
    ]);
    await meter.start();
    let run: RebuildRun;
    let cpu: CpuShare[];
    try {
      run = await runRebuild(ctx, `r${round}`, this.read.url, this.commandApi!.baseUrl, {
        PROJECTIONS_REBUILD_PAGE_SIZE: String(PAGE_SIZE),
        PROJECTIONS_REBUILD_CONCURRENCY: String(LANES),
      });
      cpu = await meter.stop(run.events);
    } finally {
      await meter.release();
    }
    this.wall.push(run.wallSeconds);
    this.checksums.set(`ours r${round}`, run.checksum);
    return {
      rebuild: {
        value: run.events / run.replaySeconds,
        operations: run.events,
        failures: this.total - run.events,
        cpu,
        details: {
          replaySeconds: run.replaySeconds,
          wallSeconds: Number(run.wallSeconds.toFixed(2)),
          pauseMs: run.pauseMs,
          wallRate: Math.round(run.events / run.wallSeconds),
        },
      },
    };
  }

  async runBaseline(ctx: BenchContext, round: number): Promise<SideResult> {
    const target = await ctx.createDatabase(`rebuild_sql_r${round}`);
    migrateQueryApi(target.url);
    const pool = new Pool({ connectionString: target.url, max: LANES });
    const source = this.eventsPool!;
    let meter: CpuMeter | undefined;
    try {
      // Connect both pools before the clock starts (the CLI's pool and command-api's are connected early too).
      await Promise.all(Array.from({ length: LANES }, () => pool.query('SELECT 1')));
      await source.query('SELECT 1');
      const projector = new SqlOnlyProjector(pool);
      meter = new CpuMeter([
        selfProbe('bench process (pg)'),
        postgresBackendsProbe(ctx.databaseUrl('postgres'), target.name, 'postgres (target db backends)'),
        postgresBackendsProbe(ctx.databaseUrl('postgres'), this.events.name, 'postgres (event store backends)'),
        ...(this.cluster ? [this.cluster] : []),
      ]);
      await meter.start();
      const started = performance.now();
      let replayed = 0;
      let page = await readPage(source, '0');
      for (;;) {
        const following = page.length < PAGE_SIZE ? undefined : readPage(source, page[page.length - 1].position);
        following?.catch(() => undefined);
        const lanes: ProjectedEvent[][] = Array.from({ length: LANES }, () => []);
        for (const event of page) lanes[laneOf(event.streamId, LANES)].push(event);
        await Promise.all(lanes.filter((events) => events.length > 0).map((events) => projector.applyBatch(events)));
        replayed += page.length;
        if (!following) break;
        page = await following;
      }
      const elapsed = performance.now() - started;
      const cpu = await meter.stop(replayed);
      this.checksums.set(
        `SQL-only r${round}`,
        await readModelChecksum(
          { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows },
          'read_model',
        ),
      );
      return {
        rebuild: { value: (replayed * 1000) / elapsed, operations: replayed, failures: this.total - replayed, cpu },
      };
    } finally {
      await meter?.release();
      await pool.end();
    }
  }

  async teardown(): Promise<void> {
    await this.commandApi?.stop();
    await this.eventsPool?.end();
  }

  notes(): string[] {
    const checksums = new Set(this.checksums.values());
    const wall = this.wall.map((seconds) => `${seconds.toFixed(1)} s`).join(', ');
    return [
      `rebuild: ${this.total} events, pages of ${PAGE_SIZE}, ${LANES} lanes; ours is the replay rate the CLI reports ` +
        `(process start, creating read_model_next and the switch excluded; whole process per round: ${wall}); ` +
        'no live query-api runs, so the switch pauses nobody',
      'rebuild, SQL-only leaves out: HTTP and JSON between command-api and the CLI, the feed ordering by ' +
        '(transaction id, position) under the oldest running transaction (plain keyset on position instead), ' +
        'JSON Schema validation and upcasting, the ledger, stream_versions/pending_events, checkpoints, ' +
        'locks, reading rows back, the overview aggregate query, the switch',
      `rebuild: read-model checksums ${checksums.size === 1 ? 'equal on both sides in every round' : `DIFFER: ${[...this.checksums].map(([k, v]) => `${k} ${v}`).join(', ')}`}`,
    ];
  }
}

/** One page of the events table in position order, as envelopes (what the feed would return). */
async function readPage(pool: Pool, after: string): Promise<ProjectedEvent[]> {
  const { rows } = await pool.query(
    `SELECT position::text AS position, event_id, stream_type, stream_id, stream_version, event_type,
            schema_version, data, metadata, occurred_at
       FROM events e WHERE e.position > $1
      -- e.position, not the text alias of the select list ('1000' sorts before '999')
      ORDER BY e.position LIMIT $2`,
    [after, PAGE_SIZE],
  );
  return rows.map((row: Record<string, unknown>) => toEnvelope(toRecordedEvent(row)) as ProjectedEvent);
}

/** Reads the whole feed once (warms command-api and the event pages up); returns the event count. */
async function readWholeFeed(feed: EventFeedClient): Promise<number> {
  let count = 0;
  for (let after = '0'; ;) {
    const page = await feed.page(after, PAGE_SIZE);
    count += page.events.length;
    if (page.events.length < PAGE_SIZE) return count;
    after = page.next;
  }
}
