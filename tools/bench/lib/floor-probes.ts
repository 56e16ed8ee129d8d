/**
 * The physical floor of a write-to-read path, measured: one Kafka produce+consume round trip
 * (kafkajs, acks = all, idempotent producer as the relay's, a consumer with kafkajs' default
 * fetch settings as query-api's, on the same broker), one Postgres commit (a small autocommitted
 * INSERT: one round trip, one WAL flush) and one Redis round trip (SET and GET alternately).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { Client } from 'pg';
import { BenchContext } from './context';
import { deleteConsumerGroup } from './query-api';
import { percentile } from './stats';

/** A message about the size of an event envelope. */
const PAYLOAD = 'x'.repeat(600);
const ROUND_TRIP_TIMEOUT_MS = 10_000;

export interface FloorSamples {
  kafka: number[];
  postgres: number[];
  redis: number[];
}

export interface FloorSummary {
  p50: number;
  p99: number;
  /** Per component: p50/p99, ms. */
  parts: Record<keyof FloorSamples, { p50: number; p99: number }>;
  samples: number;
}

export class FloorProbes {
  private producer?: Producer;
  private consumer?: Consumer;
  private pg?: Client;
  private redis?: Redis;
  private readonly arrivals = new Map<string, () => void>();
  private readonly topic: string;
  private readonly redisKey: string;
  private readonly groupId: string;

  constructor(
    private readonly ctx: BenchContext,
    private readonly databaseUrl: string,
  ) {
    this.topic = `${ctx.topicPrefix}floor.round-trip`;
    this.redisKey = `bench:${ctx.runId}:floor`;
    this.groupId = `bench-${ctx.runId}-floor`;
  }

  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: `bench-${this.ctx.runId}-floor`,
      brokers: this.ctx.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: this.topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.consumer = kafka.consumer({ groupId: this.groupId });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => this.arrivals.get(message.key?.toString() ?? '')?.(),
    });
    this.pg = new Client({ connectionString: this.databaseUrl });
    await this.pg.connect();
    await this.pg.query(`CREATE TABLE IF NOT EXISTS bench_floor_probe (id bigserial PRIMARY KEY, payload text)`);
    this.redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    // The consumer has joined its group and fetches once a first round trip completes.
    await this.kafkaRoundTrip(60_000);
  }

  /** Measures all three, one after the other, until `until()` says stop. */
  async measureWhile(until: () => boolean): Promise<FloorSamples> {
    const samples: FloorSamples = { kafka: [], postgres: [], redis: [] };
    for (let i = 0; !until() || i === 0; i++) {
      samples.kafka.push(await this.kafkaRoundTrip(ROUND_TRIP_TIMEOUT_MS));
      samples.postgres.push(await this.postgresCommit());
      samples.redis.push(await this.redisRoundTrip(i));
    }
    return samples;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    if (this.consumer) await deleteConsumerGroup(this.ctx, this.groupId).catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.redis?.del(this.redisKey).catch(() => undefined);
    this.redis?.disconnect();
    await this.pg?.end().catch(() => undefined);
  }

  private async kafkaRoundTrip(timeoutMs: number): Promise<number> {
    const key = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      this.arrivals.set(key, resolve);
      timer = setTimeout(() => reject(new Error(`a Kafka round trip took over ${timeoutMs} ms`)), timeoutMs);
    });
    const started = performance.now();
    try {
      await this.producer!.send({ topic: this.topic, acks: -1, messages: [{ key, value: PAYLOAD }] });
      await arrived;
      return performance.now() - started;
    } finally {
      clearTimeout(timer);
      this.arrivals.delete(key);
    }
  }

  private async postgresCommit(): Promise<number> {
    const started = performance.now();
    await this.pg!.query(`INSERT INTO bench_floor_probe (payload) VALUES ($1)`, [PAYLOAD]);
    return performance.now() - started;
  }

  private async redisRoundTrip(i: number): Promise<number> {
    const started = performance.now();
    if (i % 2 === 0) await this.redis!.set(this.redisKey, PAYLOAD);
    else await this.redis!.get(this.redisKey);
    return performance.now() - started;
  }
}

/** The floor as one path: the components' p50s summed, and their p99s summed. */
export function summarizeFloor(samples: FloorSamples): FloorSummary {
  const parts = {} as FloorSummary['parts'];
  for (const name of ['kafka', 'postgres', 'redis'] as const) {
    parts[name] = { p50: percentile(samples[name], 50), p99: percentile(samples[name], 99) };
  }
  const sum = (p: 'p50' | 'p99') => parts.kafka[p] + parts.postgres[p] + parts.redis[p];
  return { p50: sum('p50'), p99: sum('p99'), parts, samples: samples.kafka.length };
}
