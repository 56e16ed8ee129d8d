import { STREAM_TYPES } from '@analytics/contracts';
import { OutboxRelay } from '@analytics/event-store';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { outboxConfig, OutboxConfig } from './outbox.config';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxWakeUp } from './outbox-wake-up';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;
const STANDBY_POLL_MS = 1_000;

/**
 * Runs the outbox relay inside command-api: every instance competes for leadership, the leader
 * drains the outbox to Kafka. Failures (broker down, database away) never crash the process:
 * the round is retried with backoff, and commands keep committing to the outbox meanwhile.
 * When the outbox is empty the leader waits until one of this process's commands commits events
 * (OutboxWakeUp), or `OUTBOX_POLL_INTERVAL_MS` for the commits of other instances. While events
 * keep coming, rounds start at most every `OUTBOX_ROUND_INTERVAL_MS` (see gatherNextBatch).
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly relay: OutboxRelay;
  private producer?: Producer;
  private topicsReady = false;
  private running = false;
  private loop?: Promise<void>;
  private readonly stopListening: () => void;

  constructor(
    @InjectDataSource() db: DataSource,
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly metrics: OutboxMetrics,
    @Inject(outboxConfig.KEY) private readonly config: OutboxConfig,
    wakeUp: OutboxWakeUp,
  ) {
    const producer = { sendBatch: async (batch: ProducerBatch) => (await this.connectedProducer()).sendBatch(batch) };
    this.relay = new OutboxRelay(db, producer, {
      source: 'command-api',
      batchSize: config.batchSize,
      onParked: ({ outboxId, streamId, reason }) =>
        this.logger.error(`outbox row ${outboxId} parked; stream ${streamId} waits behind it: ${reason}`),
    });
    this.stopListening = wakeUp.onCommitted(() => this.relay.wake());
  }

  /** Events Kafka refused for good, waiting for an operator. */
  parkedEvents() {
    return this.relay.parkedEvents();
  }

  /** Puts a parked event back in line; false when it is not parked. */
  async retryParked(outboxId: string) {
    const unparked = await this.relay.unpark(outboxId);
    if (unparked) this.relay.wake();
    return unparked;
  }

  onApplicationBootstrap() {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.running = false;
    this.stopListening();
    this.relay.wake();
    await this.loop;
    await this.relay.release();
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async run() {
    let backoffMs = FIRST_BACKOFF_MS;
    let leader = false;
    while (this.running) {
      try {
        if (!leader) {
          leader = await this.relay.tryAcquireLeadership();
          this.metrics.leader.set(leader ? 1 : 0);
          if (!leader) {
            await sleep(STANDBY_POLL_MS);
            continue;
          }
          this.logger.log('this instance is now the active outbox relay');
        }
        await this.ensureTopics();
        const roundStarted = Date.now();
        const published = await this.relay.publishPending();
        this.metrics.published.inc(published);
        backoffMs = FIRST_BACKOFF_MS;
        if (published === 0 && this.running) await this.relay.waitForPending(this.config.pollIntervalMs);
        else if (published < this.config.batchSize && this.running) await this.gatherNextBatch(roundStarted);
      } catch (error) {
        this.metrics.publishFailures.inc();
        this.logger.warn(`outbox relay round failed, retrying in ${backoffMs} ms: ${(error as Error).message}`);
        // Start the next round from fresh connections: the failed ones may be half-dead.
        await this.resetProducer();
        if (leader && !(await this.relay.stillLeader())) {
          leader = false;
          this.metrics.leader.set(0);
        }
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Under a steady stream of commands every round would publish the few events committed during
   * the previous one: each round costs a select, a Kafka request and an update however few rows
   * it carries. Waiting until `roundIntervalMs` after the last round started lets the next one
   * carry what came in meanwhile (an event waits at most that long for its round).
   */
  private async gatherNextBatch(roundStarted: number) {
    const rest = roundStarted + this.config.roundIntervalMs - Date.now();
    if (rest > 0) await sleep(rest);
  }

  private async ensureTopics() {
    if (this.topicsReady) return;
    const created = await ensureTopics(
      this.kafka,
      STREAM_TYPES.map((streamType) => this.topics.eventsOf(streamType)),
      this.config.topicPartitions,
    );
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    this.topicsReady = true;
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3 } });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async resetProducer() {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
