/**
 * Projection apply: events/s that query-api's projections apply from Kafka into the read model.
 *
 * History: about N events of the three streams (client configs, connector profiles, service
 * proposals; the read-side e2e tests' writeHistory mix), appended to an event store and published
 * once, exactly as the relay would, to this figure's 6-partition topics.
 *
 * Ours: each round, a query-api process (dist) with a fresh read database and consumer group
 * consumes the topics from the start, with PROJECTIONS_BATCH_SIZE = 200, PROJECTIONS_CONCURRENCY
 * = 3 and fetches of 50 MiB, 4 MiB per partition (the defaults, set explicitly because the
 * baselines copy them; catching up, each transaction is one partition's 200 messages, the
 * coalescer having no smaller chunks to join).
 * Timed from the first checkpoint seen committed to the last one (the checkpoints of all
 * partitions add up to every message), polled every 25 ms in the read database; the events of
 * the first observation are not counted. Start-up and the group join are not timed.
 *
 * Baselines, both in every round:
 * (a) raw kafkajs: a consumer of the same topics (fresh group, same partitionsConsumedConcurrently
 *     and fetch sizes) whose eachBatch only counts, reading them RAW_PASSES times, timed from its
 *     group join to the last message: what reading the topics costs, the ceiling of any Kafka
 *     consumer in Node here;
 * (b) SQL-only: the same messages (as Kafka delivered them, per partition, in order) JSON.parsed
 *     and written with plain pg as the same final-state upserts (lib/sql-only-projector.ts) into a
 *     fresh read_model, in transactions of 200 consecutive messages of a partition, 3 partitions
 *     at a time: what the engine's writes cost Postgres with nothing else in the way.
 */
import { STREAM_TYPES } from '@analytics/contracts';
import { TopicNames } from '@analytics/messaging';
import { setTimeout as sleep } from 'node:timers/promises';
import { Batch, Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { readModelChecksum } from '../../../apps/query-api/src/projections/rebuild/projection-rebuilder';
import { ProjectedEvent } from '../../../apps/query-api/src/projections/projected-event';
import { CpuShare, Figure, SideResult } from '../figure';
import { RunningApp } from '../lib/command-api';
import { BenchContext } from '../lib/context';
import {
  CpuMeter,
  CpuProbe,
  listeningPid,
  pidProbe,
  postgresBackendsProbe,
  postgresClusterProbe,
  selfProbe,
} from '../lib/cpu';
import { deleteConsumerGroup, migrateQueryApi, startQueryApi } from '../lib/query-api';
import { publishHistory, writeEventHistory } from '../lib/read-side-history';
import { SqlOnlyProjector } from '../lib/sql-only-projector';

const PARTITIONS = 6;
/** query-api's PROJECTIONS_BATCH_SIZE and PROJECTIONS_CONCURRENCY defaults; the SQL-only baseline batches alike. */
const BATCH_SIZE = 200;
const CONCURRENCY = 3;
/** query-api's PROJECTIONS_FETCH_MAX_BYTES(_PER_PARTITION) defaults; the raw consumer fetches alike. */
const MIB = 1024 * 1024;
const FETCH = { maxBytes: 50 * MIB, maxBytesPerPartition: 4 * MIB };
const POLL_MS = 25;
/**
 * The raw consumer reads the topics this many times per round (seeking each partition back to 0
 * at its end, within one group join): one read of the quick history takes ~0.2 s, too short to
 * time steadily.
 */
const RAW_PASSES = 5;
const TIMEOUT_MS = 600_000;

/** The messages of one partition, in offset order, as Kafka delivered them. */
interface PartitionLog {
  topic: string;
  partition: number;
  values: Buffer[];
}

export class ProjectionApplyFigure implements Figure {
  readonly name = 'projection apply';
  readonly description = {
    ours: 'a query-api process applying the history from Kafka (fresh group and read database), first to last checkpoint',
    baseline:
      '(a) raw kafkajs consumer of the same topics, no-op eachBatch; (b) the same final-state upserts with plain pg, same batches',
  };
  readonly metrics = [
    {
      key: 'vsConsume',
      label: 'projection apply vs raw consume',
      unit: 'events/s',
      better: 'higher',
      floor: 0.2,
      goal: 0.4,
    } as const,
    {
      key: 'vsSql',
      label: 'projection apply vs SQL-only upserts',
      unit: 'events/s',
      better: 'higher',
      floor: 0.6,
      goal: 0.8,
    } as const,
  ];

  private ctx?: BenchContext;
  private topics: string[] = [];
  private prefix = '';
  private kafka?: Kafka;
  private total = 0;
  /** Per `topic:partition`, its high watermark (= its message count: fresh topics start at offset 0). */
  private readonly ends = new Map<string, number>();
  private logs: PartitionLog[] = [];
  private app?: RunningApp;
  private cluster?: CpuProbe;
  private broker?: CpuProbe;
  private redis?: CpuProbe;
  private readonly checksums = new Map<string, string>();

  async prepare(ctx: BenchContext): Promise<void> {
    this.ctx = ctx;
    this.prefix = `${ctx.topicPrefix}projection.`;
    const names = new TopicNames(this.prefix);
    this.topics = STREAM_TYPES.map((type) => names.eventsOf(type));
    ctx.progress(`projection apply: writing about ${ctx.options.historyEvents} events of history`);
    const history = await writeEventHistory(ctx, 'proj_events', names, ctx.options.historyEvents);
    const published = await publishHistory(ctx, history.database.url, PARTITIONS);
    this.kafka = new Kafka({ clientId: `bench-${ctx.runId}`, brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING });
    this.total = await this.messagesOnTopics();
    if (this.total !== published) throw new Error(`published ${published} messages, the topics hold ${this.total}`);

    // A first read of the topics warms the broker up and captures what Kafka delivers, per
    // partition, for the SQL-only baseline.
    const byPartition = new Map<string, PartitionLog>();
    const warmup = await this.rawConsume(`bench-${ctx.runId}-warmup`, 1, (batch) => {
      const key = `${batch.topic}:${batch.partition}`;
      const log = byPartition.get(key) ?? { topic: batch.topic, partition: batch.partition, values: [] };
      for (const message of batch.messages) log.values.push(message.value!);
      byPartition.set(key, log);
    });
    this.logs = [...byPartition.values()];
    ctx.progress(
      `projection apply: ${this.total} events on ${this.topics.length} topics x ${PARTITIONS} partitions ` +
        `(warm-up read: ${Math.round(warmup.elapsedMs)} ms)`,
    );

    this.cluster = await postgresClusterProbe(ctx.databaseUrl('postgres'));
    const broker = listeningPid(ctx.kafkaBrokers[0]);
    const redis = listeningPid(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').host);
    if (broker) this.broker = pidProbe('kafka broker (shared)', broker);
    if (redis) this.redis = pidProbe('redis (shared)', redis);
  }

  async runOurs(ctx: BenchContext, round: number): Promise<SideResult> {
    const read = await ctx.createDatabase(`proj_read_r${round}`);
    migrateQueryApi(read.url);
    const pool = new Pool({ connectionString: read.url, max: 1 });
    let meter: CpuMeter | undefined;
    try {
      this.app = await startQueryApi(ctx, `apply-r${round}`, read.url, {
        KAFKA_TOPIC_PREFIX: this.prefix,
        KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
        PROJECTIONS_BATCH_SIZE: String(BATCH_SIZE),
        PROJECTIONS_CONCURRENCY: String(CONCURRENCY),
        PROJECTIONS_FETCH_MAX_BYTES: String(FETCH.maxBytes),
        PROJECTIONS_FETCH_MAX_BYTES_PER_PARTITION: String(FETCH.maxBytesPerPartition),
      });
      meter = new CpuMeter([
        pidProbe('query-api', this.app.pid),
        postgresBackendsProbe(ctx.databaseUrl('postgres'), read.name, 'postgres (read db backends)'),
        ...[this.cluster, this.broker, this.redis].filter((probe) => probe !== undefined),
      ]);
      const checkpointed = async () =>
        Number(
          (
            await pool.query<{ n: string }>(
              `SELECT coalesce(sum(next_offset), 0)::text AS n FROM read_model.projection_checkpoints`,
            )
          ).rows[0].n,
        );
      const deadline = performance.now() + TIMEOUT_MS;
      let first: { at: number; events: number } | undefined;
      let done = 0;
      while (!done) {
        if (performance.now() > deadline)
          throw new Error(`query-api did not apply the history within ${TIMEOUT_MS} ms`);
        const events = await checkpointed();
        if (events > 0 && !first) {
          first = { at: performance.now(), events };
          await meter.start();
        }
        if (events >= this.total) done = performance.now();
        else await sleep(POLL_MS);
      }
      const counted = this.total - first!.events;
      const cpu = await meter.stop(counted);
      const [{ applied, dead }] = (
        await pool.query<{ applied: number; dead: number }>(
          `SELECT (SELECT count(*)::int FROM read_model.applied_events) AS applied,
                  (SELECT count(*)::int FROM read_model.dead_letters) AS dead`,
        )
      ).rows;
      this.checksums.set(`ours r${round}`, await readModelChecksum(queryable(pool), 'read_model'));
      const sample = {
        value: (counted * 1000) / (done - first!.at),
        operations: counted,
        failures: this.total - applied,
        cpu,
        details: { applied, deadLetters: dead, notCounted: first!.events },
      };
      return { vsConsume: sample, vsSql: sample };
    } finally {
      await meter?.release();
      await this.app?.stop();
      this.app = undefined;
      await pool.end();
    }
  }

  async runBaseline(ctx: BenchContext, round: number): Promise<SideResult> {
    const consume = await this.rawConsumeSample(ctx, round);
    const sql = await this.sqlOnlySample(ctx, round);
    // The table shows the CPU of a figure's first metric only: it lists both baselines' shares.
    const labelled = (label: string, shares: CpuShare[]) =>
      shares.map((share) => ({ ...share, process: `${label}: ${share.process}` }));
    return {
      vsConsume: { ...consume, cpu: [...labelled('raw consume', consume.cpu), ...labelled('SQL-only', sql.cpu)] },
      vsSql: sql,
    };
  }

  async teardown(): Promise<void> {
    await this.app?.stop();
  }

  notes(): string[] {
    const checksums = new Set(this.checksums.values());
    return [
      `projection apply: ${this.total} events over ${this.topics.length} topics x ${PARTITIONS} partitions; ` +
        `query-api with PROJECTIONS_BATCH_SIZE=${BATCH_SIZE}, PROJECTIONS_CONCURRENCY=${CONCURRENCY}, ` +
        `fetches of ${FETCH.maxBytes / MIB} MiB (${FETCH.maxBytesPerPartition / MIB} MiB per partition), LOG_LEVEL=${process.env.LOG_LEVEL ?? 'info'}; ` +
        'ours is timed from the first committed checkpoint to the last (start-up and group join excluded)',
      'projection apply, raw consume leaves out everything but reading: no decoding, no database (kafkajs defaults ' +
        `but the same fetch sizes, offsets auto-committed; same partitionsConsumedConcurrently); reads the topics ${RAW_PASSES} times per round ` +
        '(each partition sought back to 0 at its end), timed from its group join',
      'projection apply, SQL-only leaves out: JSON Schema validation and upcasting, the applied_events ledger, ' +
        'stream_versions/pending_events (order), the checkpoint row and its lock, the switch and per-client ' +
        'locks, reading each row before folding it (folded in memory), the overview aggregate query (computed in memory), ' +
        'Kafka (messages from memory), metrics and the cache invalidation in Redis',
      `projection apply: read-model checksums ${checksums.size === 1 ? 'equal on both sides in every round' : `DIFFER: ${[...this.checksums].map(([k, v]) => `${k} ${v}`).join(', ')}`}`,
    ];
  }

  private async rawConsumeSample(ctx: BenchContext, round: number) {
    const meter = new CpuMeter([selfProbe('bench process (kafkajs)'), ...(this.broker ? [this.broker] : [])]);
    try {
      const run = await this.rawConsume(`bench-${ctx.runId}-raw-r${round}`, RAW_PASSES, undefined, () => meter.start());
      const events = this.total * RAW_PASSES;
      const cpu = await meter.stop(events);
      return { value: (events * 1000) / run.elapsedMs, operations: events, cpu, details: { passes: RAW_PASSES } };
    } finally {
      await meter.release();
    }
  }

  private async sqlOnlySample(ctx: BenchContext, round: number) {
    const db = await ctx.createDatabase(`proj_sql_r${round}`);
    migrateQueryApi(db.url);
    const pool = new Pool({ connectionString: db.url, max: CONCURRENCY });
    let meter: CpuMeter | undefined;
    try {
      // Connect the pool before the clock starts (query-api's pool is connected too).
      await Promise.all(Array.from({ length: CONCURRENCY }, () => pool.query('SELECT 1')));
      const projector = new SqlOnlyProjector(pool);
      meter = new CpuMeter([
        selfProbe('bench process (pg)'),
        postgresBackendsProbe(ctx.databaseUrl('postgres'), db.name, 'postgres (own backends)'),
        ...(this.cluster ? [this.cluster] : []),
      ]);
      const queue = [...this.logs];
      await meter.start();
      const started = performance.now();
      const worker = async () => {
        for (let log = queue.shift(); log; log = queue.shift()) {
          for (let i = 0; i < log.values.length; i += BATCH_SIZE) {
            const events = log.values
              .slice(i, i + BATCH_SIZE)
              .map((value) => JSON.parse(value.toString('utf8')) as ProjectedEvent);
            await projector.applyBatch(events);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const elapsed = performance.now() - started;
      const cpu = await meter.stop(this.total);
      this.checksums.set(`SQL-only r${round}`, await readModelChecksum(queryable(pool), 'read_model'));
      return { value: (this.total * 1000) / elapsed, operations: this.total, cpu };
    } finally {
      await meter?.release();
      await pool.end();
    }
  }

  /**
   * Reads every message of the topics `passes` times with a fresh consumer group from the start;
   * `onBatch` sees each batch (no-op when absent), `onJoin` runs when the group is joined (the
   * clock starts).
   */
  private async rawConsume(
    groupId: string,
    passes: number,
    onBatch?: (batch: Batch) => void,
    onJoin?: () => Promise<void>,
  ): Promise<{ elapsedMs: number }> {
    const consumer = this.kafka!.consumer({ groupId, ...FETCH });
    let joined: Promise<number> | undefined;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined ??= (async () => {
        const at = performance.now();
        await onJoin?.();
        return at;
      })();
    });
    let consumed = 0;
    const passesDone = new Map<string, number>();
    let finish: (at: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the raw consumer did not finish within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: CONCURRENCY,
        eachBatch: async ({ batch }) => {
          onBatch?.(batch);
          consumed += batch.messages.length;
          if (consumed >= this.total * passes) finish(performance.now());
          const key = `${batch.topic}:${batch.partition}`;
          if (Number(batch.lastOffset()) + 1 >= this.ends.get(key)!) {
            const done = (passesDone.get(key) ?? 0) + 1;
            passesDone.set(key, done);
            if (done < passes) consumer.seek({ topic: batch.topic, partition: batch.partition, offset: '0' });
          }
        },
      });
      const doneAt = await Promise.race([finished, timeout]);
      return { elapsedMs: doneAt - (await joined!) };
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await deleteConsumerGroup(this.ctx!, groupId).catch(() => undefined);
    }
  }

  /** Messages on the figure's topics: the sum of the partitions' high watermarks (fresh topics start at 0). */
  private async messagesOnTopics(): Promise<number> {
    const admin = this.kafka!.admin();
    await admin.connect();
    try {
      let total = 0;
      for (const topic of this.topics) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
          this.ends.set(`${topic}:${partition}`, Number(high));
          total += Number(high);
        }
      }
      return total;
    } finally {
      await admin.disconnect();
    }
  }
}

/** A pg pool as the app's Queryable (what the read-model checksum takes). */
function queryable(pool: Pool) {
  return { query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows };
}
