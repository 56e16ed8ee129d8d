import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

class ProjectionsEnv {
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, { message: 'PROJECTIONS_GROUP_ID may hold letters, digits, ".", "_" and "-"' })
  PROJECTIONS_GROUP_ID = 'query-api-projections';

  @IsIn(['true', 'false'])
  PROJECTIONS_ENABLED = 'true';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  PROJECTIONS_CONCURRENCY = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5_000)
  PROJECTIONS_BATCH_SIZE = 200;

  @Type(() => Number)
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  PROJECTIONS_SESSION_TIMEOUT_MS = 30_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  PROJECTIONS_MAX_ATTEMPTS = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1_024)
  @Max(64 * 1024 * 1024)
  PROJECTIONS_MAX_EVENT_BYTES = 1024 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  PROJECTIONS_FETCH_MAX_BYTES = 50 * 1024 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(16 * 1024)
  @Max(64 * 1024 * 1024)
  PROJECTIONS_FETCH_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  KAFKA_TOPIC_PARTITIONS = 6;
}

export interface ProjectionsConfig {
  /** Env `PROJECTIONS_GROUP_ID`: the Kafka consumer group (also the checkpoint key). */
  groupId: string;
  /** Env `PROJECTIONS_ENABLED` (true): false serves queries only. */
  enabled: boolean;
  /** Env `PROJECTIONS_CONCURRENCY` (3): projection transactions in parallel. */
  concurrency: number;
  /**
   * Env `PROJECTIONS_BATCH_SIZE` (200): messages per transaction at most, from one or more
   * partitions (a partition's messages are taken this many at a time).
   */
  batchSize: number;
  /** Env `PROJECTIONS_SESSION_TIMEOUT_MS` (30000): how soon a crashed member's partitions move. */
  sessionTimeoutMs: number;
  /** Env `PROJECTIONS_MAX_ATTEMPTS` (3): tries of a failing event before it is dead-lettered. */
  maxAttempts: number;
  /** Env `PROJECTIONS_MAX_EVENT_BYTES` (1 MiB): larger message values are dead-lettered unparsed. */
  maxEventBytes: number;
  /**
   * Env `PROJECTIONS_FETCH_MAX_BYTES` (50 MiB) and `PROJECTIONS_FETCH_MAX_BYTES_PER_PARTITION`
   * (4 MiB): how much one Kafka fetch brings at most, in all and per partition (kafkajs' `maxBytes`
   * and `maxBytesPerPartition`, whose defaults are 10 MiB and 1 MiB). kafkajs fetches again only
   * once every partition of the last fetch is applied, and the last partitions of a fetch are
   * applied with fewer transactions in parallel: catching up, fewer and bigger fetches keep the
   * database busier (see README, "Benchmarks"). A steady load fetches little either way.
   */
  fetch: { maxBytes: number; maxBytesPerPartition: number };
  /** Env `KAFKA_TOPIC_PARTITIONS` (6): partitions of the event topics if this app creates them. */
  topicPartitions: number;
}

/** Config namespace `projections`. */
export const projectionsConfig = defineConfig('projections', ProjectionsEnv, (env): ProjectionsConfig => ({
  groupId: env.PROJECTIONS_GROUP_ID,
  enabled: env.PROJECTIONS_ENABLED === 'true',
  concurrency: env.PROJECTIONS_CONCURRENCY,
  batchSize: env.PROJECTIONS_BATCH_SIZE,
  sessionTimeoutMs: env.PROJECTIONS_SESSION_TIMEOUT_MS,
  maxAttempts: env.PROJECTIONS_MAX_ATTEMPTS,
  maxEventBytes: env.PROJECTIONS_MAX_EVENT_BYTES,
  fetch: {
    maxBytes: env.PROJECTIONS_FETCH_MAX_BYTES,
    maxBytesPerPartition: env.PROJECTIONS_FETCH_MAX_BYTES_PER_PARTITION,
  },
  topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
}));
