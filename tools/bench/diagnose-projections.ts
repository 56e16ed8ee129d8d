/**
 * `npm run bench:diagnose -- [options]`: where query-api's projections spend their CPU, and
 * whether a change moved it, outside the figures of `npm run bench` (no baseline, no verdict).
 *
 * Each run gets fresh topics and a fresh read database, and a query-api process (the build in
 * dist, or another one) applies a history of the read-side mix:
 *
 *   --mode catch-up      the history is on Kafka before query-api starts (the projection apply
 *                        figure's regime: batches of PROJECTIONS_BATCH_SIZE): events/s
 *   --mode trickle       the history is produced at --rate events/s while query-api applies it
 *                        (the write-to-read lag's regime: a few events per transaction)
 *   --events N           events of history (catch-up; default 30,000); --rate R and --seconds S
 *                        set a trickle's (default 250/s for 20 s)
 *   --variants "A;B"     runs alternate between variants, each `NAME=value&NAME=value`: the
 *                        app's environment, plus MAIN=<path> to run (and migrate with) another
 *                        build (keep it inside the repository, e.g. .cache/, so that it finds
 *                        node_modules)
 *   --runs N             runs per variant (default 2)
 *
 * Prints, per run, query-api's CPU and its database backends' CPU per event (/proc and
 * pg_stat_activity, as the figures measure them) and, when the server has pg_stat_statements
 * loaded, the statements that took the most time.
 */
import { cloudEventHeaders, toEnvelope, toRecordedEvent } from '@analytics/event-store';
import { STREAM_TYPES } from '@analytics/contracts';
import { silenceKafkajsNegativeTimeoutWarning, TopicNames } from '@analytics/messaging';
import { Kafka, logLevel, Message } from 'kafkajs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Pool } from 'pg';
import { freePort } from '../../test/harness/app-process';
import { BenchContext, QUICK } from './lib/context';
import { CpuMeter, pidProbe, postgresBackendsProbe } from './lib/cpu';
import { migrateQueryApi } from './lib/query-api';
import { writeEventHistory } from './lib/read-side-history';
import { startServerProcess } from './lib/server-process';

const PARTITIONS = 6;
const DIST_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'query-api', 'main.js');

interface Outgoing {
  streamType: string;
  message: Message;
}

async function main() {
  silenceKafkajsNegativeTimeoutWarning();
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'catch-up' },
      events: { type: 'string', default: '30000' },
      rate: { type: 'string', default: '250' },
      seconds: { type: 'string', default: '20' },
      runs: { type: 'string', default: '2' },
      variants: { type: 'string', default: '' },
    },
  });
  const trickle = values.mode === 'trickle';
  if (!trickle && values.mode !== 'catch-up') throw new Error('--mode is catch-up or trickle');
  const rate = Number(values.rate);
  const events = trickle ? rate * Number(values.seconds) : Number(values.events);
  const ctx = new BenchContext(
    { ...QUICK, quick: true, rounds: 1, quietWait: false, historyEvents: events },
    process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  );
  const kafka = new Kafka({ brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const summary: string[] = [];
  try {
    ctx.progress(`writing ${events} events of history`);
    const history = await historyMessages(ctx, events);
    const variants = values.variants.split(';').map((variant) => variant.trim());
    for (let run = 1; run <= Number(values.runs) * variants.length; run++) {
      const variant = variants[(run - 1) % variants.length];
      const env = Object.fromEntries(
        variant
          .split('&')
          .filter((pair) => pair.includes('='))
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
      const prefix = `${ctx.topicPrefix}r${run}.`;
      const topics = new TopicNames(prefix);
      await createTopics(kafka, topics);
      const send = (batch: Outgoing[]) => publish(producer, topics, batch);
      if (!trickle) await send(history);
      const line = await measureRun(ctx, run, prefix, env, history, trickle ? { rate, send } : undefined);
      summary.push(`run ${run} [${variant || 'as built'}]: ${line}`);
      ctx.progress(summary[summary.length - 1]);
    }
    console.log(summary.join('\n'));
  } finally {
    await producer.disconnect();
    await ctx.cleanup(false);
  }
}

/** The read-side history mix, written to an event store and turned into messages as the relay sends them. */
async function historyMessages(ctx: BenchContext, events: number): Promise<Outgoing[]> {
  const history = await writeEventHistory(ctx, 'diagnose_events', new TopicNames('unused.'), events);
  const pool = new Pool({ connectionString: history.database.url, max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT o.message_key, e.position::text AS position, e.event_id, e.stream_type, e.stream_id,
              e.stream_version, e.event_type, e.schema_version, e.data, e.metadata, e.occurred_at
         FROM outbox o JOIN events e ON e.position = o.event_position ORDER BY o.id`,
    );
    return (rows as Record<string, unknown>[]).map((row) => {
      const envelope = toEnvelope(toRecordedEvent(row));
      return {
        streamType: row.stream_type as string,
        message: {
          key: row.message_key as string,
          value: JSON.stringify(envelope),
          headers: cloudEventHeaders(envelope, 'command-api'),
        },
      };
    });
  } finally {
    await pool.end();
  }
}

async function createTopics(kafka: Kafka, topics: TopicNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: STREAM_TYPES.map((type) => ({ topic: topics.eventsOf(type), numPartitions: PARTITIONS })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

async function publish(producer: ReturnType<Kafka['producer']>, topics: TopicNames, batch: Outgoing[]) {
  for (let i = 0; i < batch.length; i += 500) {
    const byTopic = new Map<string, Message[]>();
    for (const { streamType, message } of batch.slice(i, i + 500)) {
      const topic = topics.eventsOf(streamType);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

/** One query-api over the topics of `topicPrefix`; returns the run's line. */
async function measureRun(
  ctx: BenchContext,
  run: number,
  topicPrefix: string,
  env: Record<string, string>,
  history: Outgoing[],
  trickle?: { rate: number; send: (batch: Outgoing[]) => Promise<void> },
): Promise<string> {
  const read = await ctx.createDatabase(`diagnose_read_${run}`);
  // The variant's build migrates its own database: builds may differ in schema.
  migrateQueryApi(read.url, env.MAIN ?? DIST_MAIN);
  const admin = new Client({ connectionString: read.url });
  await admin.connect();
  const statements = await admin
    .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    .then(() => admin.query('SELECT pg_stat_statements_reset()'))
    .then(
      () => true,
      () => false,
    );
  const port = await freePort();
  const app = await startServerProcess(
    ctx,
    `diagnose-${run}`,
    [env.MAIN ?? DIST_MAIN],
    `http://127.0.0.1:${port}`,
    '/health/ready',
    {
      QUERY_API_PORT: String(port),
      READ_DATABASE_URL: read.url,
      DATABASE_URL: read.url,
      KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
      PROJECTIONS_GROUP_ID: `diagnose-${ctx.runId}-${run}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...env,
    },
  );
  const meter = new CpuMeter([
    pidProbe('query-api', app.pid),
    postgresBackendsProbe(ctx.databaseUrl('postgres'), read.name, 'postgres (read db)'),
  ]);
  const checkpointed = async () =>
    Number(
      (await admin.query(`SELECT coalesce(sum(next_offset), 0)::text AS n FROM read_model.projection_checkpoints`))
        .rows[0].n,
    );
  try {
    let counted = history.length;
    let started: number;
    if (trickle) {
      await sleep(4_000); // the group join
      await meter.start();
      started = performance.now();
      const perTick = Math.max(1, Math.round(trickle.rate / 100));
      for (let i = 0, tick = 0; i < history.length; i += perTick, tick++) {
        const wait = started + tick * 10 - performance.now();
        if (wait > 0) await sleep(wait);
        await trickle.send(history.slice(i, i + perTick));
      }
    } else {
      // Timed from the first committed checkpoint, as the projection apply figure is.
      let first = 0;
      while ((first = await checkpointed()) === 0) await sleep(25);
      await meter.start();
      started = performance.now();
      counted -= first;
    }
    while ((await checkpointed()) < history.length) await sleep(25);
    const seconds = (performance.now() - started) / 1000;
    const cpu = await meter.stop(counted);
    const top = statements ? await topStatements(admin, counted) : '';
    return (
      `${Math.round(counted / seconds)} events/s; ` +
      cpu.map((share) => `${share.process} ${share.msPerOp.toFixed(4)} ms/event`).join(', ') +
      top
    );
  } finally {
    await meter.release();
    await app.stop();
    await admin.end();
  }
}

/** The read database's twelve costliest statements (execution and planning), in µs per event. */
async function topStatements(admin: Client, events: number): Promise<string> {
  const { rows } = await admin.query(
    `SELECT calls, round((1000 * (total_exec_time + total_plan_time) / $1)::numeric, 1) AS us,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time + total_plan_time DESC LIMIT 12`,
    [events],
  );
  return rows.map((row) => `\n    ${row.us} us/event, ${row.calls} calls: ${row.query}`).join('');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
