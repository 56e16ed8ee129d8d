import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PeriodicSweep, schedulePeriodicSweep } from '@analytics/persistence';
import { Counter, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { projectionsConfig, ProjectionsConfig } from '../projections.config';
import { ledgerRetentionConfig, LedgerRetentionConfig } from './ledger-retention.config';
import { pruneLedger } from './ledger-retention';

/**
 * Prunes the applied-events ledger every `RETENTION_SWEEP_INTERVAL_MS` on every instance that runs
 * the projections. A failed sweep (database away) is logged and tried again at the next interval.
 */
@Injectable()
export class LedgerRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LedgerRetentionService.name);
  private readonly deleted: Counter<'table'>;
  private sweeps?: PeriodicSweep;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ledgerRetentionConfig.KEY) private readonly config: LedgerRetentionConfig,
    @Inject(projectionsConfig.KEY) private readonly projections: ProjectionsConfig,
    registry: Registry,
  ) {
    this.deleted = new Counter({
      name: 'retention_deleted_rows_total',
      help: 'Rows deleted by the retention sweep: ledger rows of events applied longer ago than LEDGER_RETENTION_HOURS',
      labelNames: ['table'],
      registers: [registry],
    });
  }

  onApplicationBootstrap() {
    if (!this.projections.enabled) return;
    this.sweeps = schedulePeriodicSweep(this.config.sweepIntervalMs, () => this.sweep(), this.logger);
  }

  async onApplicationShutdown() {
    await this.sweeps?.stop();
  }

  private async sweep() {
    const { deleted, prunedThrough } = await pruneLedger(this.db, this.config);
    this.deleted.inc({ table: 'applied_events' }, deleted);
    if (deleted > 0) this.logger.log(`retention: pruned ${deleted} ledger rows, through position ${prunedThrough}`);
  }
}
