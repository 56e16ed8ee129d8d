import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChunkCoalescer } from './chunk-coalescer';
import { IncomingMessage, Outcome, ProjectionEngine } from './projection-engine';
import { projectionsConfig, ProjectionsConfig } from './projections.config';
import { ProjectionsMetrics } from './projections.metrics';

/**
 * How often at most the consumer tells Kafka where it is. Kafka's committed offsets are only a
 * hint (every batch starts from the read database's checkpoint), so they need not follow every
 * batch: one OffsetCommit request per batch cost the consumer and the broker as much as a fetch.
 */
const OFFSET_COMMIT_INTERVAL_MS = 1_000;

/**
 * The projections' Kafka consumer: one group over the three event topics. The read database's
 * checkpoints are the truth: each batch starts at the partition's checkpoint (seeking there when
 * Kafka's group offset says otherwise, e.g. after the offsets were reset or lost), messages below
 * it are passed over, and Kafka offsets are committed only after the transactions that applied
 * the messages committed.
 *
 * The partitions of one fetch are handled at once, and their messages applied together: up to
 * PROJECTIONS_BATCH_SIZE messages per transaction (a partition's consecutive messages are never
 * split between two), up to PROJECTIONS_CONCURRENCY transactions at a time.
 */
@Injectable()
export class ProjectionsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionsConsumer.name);
  private consumer?: Consumer;
  private stopped = false;
  private readonly streamTypeOf = new Map<string, string>();
  /** Per partition, the checkpoint we last sought to (to tell a real gap from a fetch before the seek). */
  private readonly soughtTo = new Map<string, string>();
  /**
   * Per partition, the offset after the last message this instance applied there since it joined
   * the group: a batch that starts there needs no checkpoint read (the engine's transaction reads
   * it anyway, under its lock, and passes over what another owner applied meanwhile).
   */
  private readonly appliedUpTo = new Map<string, bigint>();
  private readonly transactions: ChunkCoalescer<IncomingMessage, Outcome>;
  /** Offsets applied since the last commit to Kafka, by partition (sent by `flushOffsets`). */
  private readonly uncommitted = new Map<string, { topic: string; partition: number; offset: string }>();
  private offsetTimer?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    private readonly engine: ProjectionEngine,
    private readonly metrics: ProjectionsMetrics,
    @Inject(projectionsConfig.KEY) private readonly config: ProjectionsConfig,
  ) {
    for (const streamType of STREAM_TYPES) this.streamTypeOf.set(this.topics.eventsOf(streamType), streamType);
    this.transactions = new ChunkCoalescer((messages) => this.engine.handleBatch(messages), {
      maxItems: config.batchSize,
      maxConcurrent: config.concurrency,
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.enabled) {
      this.logger.log('Projections disabled (PROJECTIONS_ENABLED=false)');
      return;
    }
    // In the background: the HTTP side serves while Kafka is still unreachable.
    void this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.start();
        return;
      } catch (error) {
        this.logger.warn(`Projections consumer could not start (attempt ${attempt}): ${(error as Error).message}`);
        await this.consumer?.disconnect().catch(() => undefined);
        this.consumer = undefined;
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  private async start(): Promise<void> {
    const topics = [...this.streamTypeOf.keys()];
    await ensureTopics(this.kafka, topics, this.config.topicPartitions);
    const consumer = this.kafka.consumer({
      groupId: this.config.groupId,
      maxBytes: this.config.fetch.maxBytes,
      maxBytesPerPartition: this.config.fetch.maxBytesPerPartition,
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: Math.max(1_000, Math.floor(this.config.sessionTimeoutMs / 6)),
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000, restartOnFailure: async () => !this.stopped },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.soughtTo.clear();
      this.appliedUpTo.clear();
      this.uncommitted.clear();
      void this.seekToCheckpoints(consumer, payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error(`Projections consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition of a fetch handed to eachBatch at once, so that their messages can share
      // transactions (the coalescer bounds the transactions).
      partitionsConsumedConcurrently: Math.max(this.config.concurrency, topics.length * this.config.topicPartitions),
      eachBatch: (payload) => this.eachBatch(consumer, payload),
    });
    this.logger.log(`Projections consuming ${topics.join(', ')} as group ${this.config.groupId}`);
  }

  /** On assignment: start every partition at its checkpoint, whatever offsets the group has. */
  private async seekToCheckpoints(consumer: Consumer, assignment: Record<string, number[]>): Promise<void> {
    try {
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) {
          const offset = await this.engine.checkpointOf(topic, partition);
          consumer.seek({ topic, partition, offset });
        }
      }
    } catch (error) {
      // Each batch checks its start against the checkpoint anyway.
      this.logger.warn(`Could not seek to the checkpoints on assignment: ${(error as Error).message}`);
    }
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const streamType = this.streamTypeOf.get(topic);
    if (!streamType || batch.messages.length === 0 || isStale()) return;
    const key = `${topic}:${partition}`;
    const first = BigInt(batch.messages[0].offset);
    const checkpoint =
      this.appliedUpTo.get(key) === first ? first : BigInt(await this.engine.checkpointOf(topic, partition));
    if (first > checkpoint && this.soughtTo.get(key) !== checkpoint.toString()) {
      // The group's offset is ahead of what the read model has applied: go back, skip nothing.
      this.logger.warn(`${key}: fetched from ${first}, checkpoint is ${checkpoint}: seeking back to the checkpoint`);
      this.soughtTo.set(key, checkpoint.toString());
      consumer.seek({ topic, partition, offset: checkpoint.toString() });
      return;
    }
    if (first > checkpoint) {
      this.logger.warn(`${key}: offsets ${checkpoint}..${first - 1n} are gone from the log; going on from ${first}`);
    }
    let last: string | undefined;
    for (let i = 0; i < batch.messages.length; i += this.config.batchSize) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(i, i + this.config.batchSize);
      await this.transactions.submit(
        chunk
          .filter((message) => BigInt(message.offset) >= checkpoint)
          .map((message) => ({ topic, partition, offset: message.offset, streamType, value: message.value })),
      );
      last = chunk[chunk.length - 1].offset;
      this.appliedUpTo.set(key, BigInt(last) + 1n);
      resolveOffset(last);
      await heartbeat();
    }
    if (last === undefined) return;
    const next = (BigInt(last) + 1n).toString();
    this.metrics.checkpoint.set({ topic, partition: String(partition) }, Number(next));
    this.metrics.lag.set(
      { topic, partition: String(partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))),
    );
    // Only after the transactions committed, and not awaited: Kafka's offset is a hint, the
    // checkpoint the truth (so the next batch does not wait for it).
    this.uncommitted.set(key, { topic, partition, offset: next });
    this.offsetTimer ??= setTimeout(() => void this.flushOffsets(consumer), OFFSET_COMMIT_INTERVAL_MS);
  }

  /** Sends Kafka the offsets applied since the last commit. */
  private async flushOffsets(consumer: Consumer): Promise<void> {
    clearTimeout(this.offsetTimer);
    this.offsetTimer = undefined;
    const offsets = [...this.uncommitted.values()];
    this.uncommitted.clear();
    if (offsets.length === 0) return;
    await consumer.commitOffsets(offsets).catch((error: Error) => {
      this.logger.debug(`Offset commit failed (the checkpoints are what counts): ${error.message}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.consumer) await this.flushOffsets(this.consumer);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
