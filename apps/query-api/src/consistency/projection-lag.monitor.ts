import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { STREAM_TYPES } from '@analytics/contracts';
import { TopicNames } from '@analytics/messaging';
import { Admin, Kafka } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { projectionsConfig, ProjectionsConfig } from '../projections/projections.config';
import { consistencyConfig, ConsistencyConfig } from './consistency.config';
import { StallDetector, StallState } from './stall-detector';

export interface LagReport extends StallState {
  /** When the last measurement was made (ms since epoch), undefined before the first. */
  measuredAt?: number;
  /** Why the last measurement failed, if it did. */
  error?: string;
  partitions: { topic: string; partition: number; lag: number }[];
}

/**
 * Measures the projections' lag every `lagIntervalMs`: per partition, Kafka's high watermark minus
 * the checkpoint in the read database (the group's truth, whichever instance applies it), and
 * feeds the stall detector. Publishes `projection_partition_lag_events`, `projection_lag_events`,
 * `projection_lag_seconds`, `projection_stalled` and `projection_idle_seconds`.
 */
@Injectable()
export class ProjectionLagMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionLagMonitor.name);
  private readonly detector: StallDetector;
  private readonly partitionLag: Gauge<'topic' | 'partition'>;
  private readonly totalLag: Gauge;
  private readonly stalledGauge: Gauge;
  private readonly idleGauge: Gauge;
  private admin?: Admin;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastAppliedOccurredAt?: number;
  private report: LagReport = { stalled: false, lag: 0, idleMs: 0, partitions: [] };

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicNames,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(projectionsConfig.KEY) private readonly projections: ProjectionsConfig,
    @Inject(consistencyConfig.KEY) private readonly config: ConsistencyConfig,
    registry: Registry,
  ) {
    this.detector = new StallDetector(config.stallAfterMs);
    this.partitionLag = new Gauge({
      name: 'projection_partition_lag_events',
      help: 'Messages of the partition not yet applied by the group: Kafka high watermark minus the checkpoint in the read database',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.totalLag = new Gauge({
      name: 'projection_lag_events',
      help: 'Messages not yet applied, over all partitions of the event topics',
      registers: [registry],
    });
    const lagSeconds = () => this.lagSeconds();
    new Gauge({
      name: 'projection_lag_seconds',
      help: 'How far behind the projections are in time: 0 when caught up, else now minus occurredAt of the last event this instance applied',
      registers: [registry],
      collect() {
        this.set(lagSeconds());
      },
    });
    this.stalledGauge = new Gauge({
      name: 'projection_stalled',
      help: `1 when the projections made no progress for PROJECTIONS_STALL_SECONDS while messages wait`,
      registers: [registry],
    });
    this.idleGauge = new Gauge({
      name: 'projection_idle_seconds',
      help: 'Seconds since the checkpoints last moved while messages wait (0 when caught up)',
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** The projections applied an event (for the lag in seconds). */
  applied(occurredAt: string): void {
    const at = Date.parse(occurredAt);
    if (!Number.isNaN(at) && (this.lastAppliedOccurredAt === undefined || at > this.lastAppliedOccurredAt)) {
      this.lastAppliedOccurredAt = at;
    }
  }

  /** The last measurement. */
  get state(): LagReport {
    return this.report;
  }

  lagSeconds(now = Date.now()): number {
    if (this.report.lag === 0) return 0;
    if (this.lastAppliedOccurredAt === undefined) return this.report.idleMs / 1_000;
    return Math.max(0, (now - this.lastAppliedOccurredAt) / 1_000);
  }

  /** One measurement (also what the timer runs). */
  async measure(): Promise<LagReport> {
    try {
      const topics = STREAM_TYPES.map((type) => this.topics.eventsOf(type));
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      const admin = this.admin;
      const offsets = await Promise.all(
        topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) })),
      );
      const rows: { topic: string; partition: number; next_offset: string }[] = await this.db.query(
        `SELECT topic, partition, next_offset::text AS next_offset FROM read_model.projection_checkpoints
          WHERE projection = $1 AND topic = ANY($2)`,
        [this.projections.groupId, topics],
      );
      const checkpoints = new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
      let progress = 0n;
      let lag = 0;
      const partitions: LagReport['partitions'] = [];
      for (const { topic, partitions: list } of offsets) {
        for (const { partition, high, low } of list) {
          const checkpoint = checkpoints.get(`${topic}:${partition}`) ?? 0n;
          progress += checkpoint;
          // Messages below the log start are gone (retention): they are not lag.
          const start = checkpoint > BigInt(low) ? checkpoint : BigInt(low);
          const behind = BigInt(high) > start ? Number(BigInt(high) - start) : 0;
          lag += behind;
          partitions.push({ topic, partition, lag: behind });
          this.partitionLag.set({ topic, partition: String(partition) }, behind);
        }
      }
      const state = this.detector.observe({ lag, progress });
      if (state.stalled && !this.report.stalled) {
        this.logger.warn(`Projections stalled: ${lag} message(s) waiting, no progress for ${state.idleMs} ms`);
      } else if (!state.stalled && this.report.stalled) {
        this.logger.log('Projections progressing again');
      }
      this.report = { ...state, measuredAt: Date.now(), partitions };
      this.totalLag.set(lag);
      this.stalledGauge.set(state.stalled ? 1 : 0);
      this.idleGauge.set(lag > 0 ? state.idleMs / 1_000 : 0);
    } catch (error) {
      this.report = { ...this.report, error: (error as Error).message };
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
    }
    return this.report;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.measure().finally(() => this.schedule(this.config.lagIntervalMs));
    }, delay);
    this.timer.unref();
  }
}
