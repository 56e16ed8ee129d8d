import { defineConfig } from '@analytics/config';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

class OutboxEnv {
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 100;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  OUTBOX_ROUND_INTERVAL_MS = 0;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 500;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  KAFKA_TOPIC_PARTITIONS = 6;
}

export interface OutboxConfig {
  /**
   * Env `OUTBOX_POLL_INTERVAL_MS`: how often the relay looks for rows when nothing is pending; a
   * command of this instance that commits events wakes it at once (OutboxWakeUp). Default 100.
   */
  pollIntervalMs: number;
  /**
   * Env `OUTBOX_ROUND_INTERVAL_MS`: while events keep coming in (a round published some, but
   * fewer than a batch), the next round starts no sooner than this after the previous one
   * started, so that it gathers the events committed meanwhile into one batch instead of
   * publishing a few per round. A full batch (a backlog) is followed at once, and an idle relay
   * still starts at the first wake-up. 0: a round follows the previous one at once. Default 0:
   * an event waits for the round interval, which the write-to-read lag pays.
   */
  roundIntervalMs: number;
  /** Env `OUTBOX_BATCH_SIZE`: events per Kafka batch. Default 500. */
  batchSize: number;
  /** Env `KAFKA_TOPIC_PARTITIONS`: partitions of the event topics when they are created. Default 6. */
  topicPartitions: number;
}

/** Config namespace `outbox`. */
export const outboxConfig = defineConfig('outbox', OutboxEnv, (env): OutboxConfig => ({
  pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
  roundIntervalMs: env.OUTBOX_ROUND_INTERVAL_MS,
  batchSize: env.OUTBOX_BATCH_SIZE,
  topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
}));
