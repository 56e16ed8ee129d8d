import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PeriodicSweep, schedulePeriodicSweep } from '@analytics/persistence';
import { Counter, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { retentionConfig, RetentionConfig } from './retention.config';
import { sweepRetention } from './retention-sweep';

/**
 * Sweeps expired idempotency records and old published outbox rows every
 * `RETENTION_SWEEP_INTERVAL_MS`, on every instance (the sweeps skip each other's rows). A failed
 * sweep (database away) is logged and tried again at the next interval; it never stops commands.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly deleted: Counter<'table'>;
  private sweeps?: PeriodicSweep;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(retentionConfig.KEY) private readonly config: RetentionConfig,
    registry: Registry,
  ) {
    this.deleted = new Counter({
      name: 'retention_deleted_rows_total',
      help: 'Rows deleted by the retention sweep: expired idempotency records, old published outbox rows',
      labelNames: ['table'],
      registers: [registry],
    });
  }

  onApplicationBootstrap() {
    this.sweeps = schedulePeriodicSweep(this.config.sweepIntervalMs, () => this.sweep(), this.logger);
  }

  async onApplicationShutdown() {
    await this.sweeps?.stop();
  }

  private async sweep() {
    const result = await sweepRetention(this.db, this.config);
    this.deleted.inc({ table: 'idempotency_records' }, result.idempotencyRecords);
    this.deleted.inc({ table: 'outbox' }, result.outboxRows);
    if (result.idempotencyRecords + result.outboxRows > 0) {
      this.logger.log(
        `retention: deleted ${result.idempotencyRecords} expired idempotency records and ${result.outboxRows} published outbox rows`,
      );
    }
  }
}
