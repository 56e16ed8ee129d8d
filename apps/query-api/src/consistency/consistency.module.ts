import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { projectionsConfig } from '../projections/projections.config';
import { QueryCache } from '../shared/query-cache';
import { AppliedPositionWaiter } from './applied-position.waiter';
import { consistencyConfig, ConsistencyConfig } from './consistency.config';
import { ProjectionCommits } from './projection-commits';
import { ProjectionLagMonitor } from './projection-lag.monitor';
import { ProjectionsHealthIndicator } from './projections.health';
import { ReadYourWritesGuard } from './read-your-writes';

const config = ConfigModule.forFeature(consistencyConfig);

/** The queries' cache, read-your-writes, projection lag and stall detection. */
@Global()
@Module({
  imports: [config, ConfigModule.forFeature(projectionsConfig), TerminusModule],
  providers: [
    {
      provide: AppliedPositionWaiter,
      inject: [getDataSourceToken(), consistencyConfig.KEY],
      useFactory: (db: DataSource, config: ConsistencyConfig) =>
        new AppliedPositionWaiter(db, { pollMs: config.pollMs, maxWaiters: config.maxWaiters }),
    },
    ReadYourWritesGuard,
    QueryCache,
    ProjectionLagMonitor,
    ProjectionCommits,
    ProjectionsHealthIndicator,
  ],
  exports: [
    AppliedPositionWaiter,
    ReadYourWritesGuard,
    QueryCache,
    ProjectionLagMonitor,
    ProjectionCommits,
    ProjectionsHealthIndicator,
    config,
  ],
})
export class ConsistencyModule implements OnApplicationShutdown {
  constructor(@Inject(AppliedPositionWaiter) private readonly waiter: AppliedPositionWaiter) {}

  onApplicationShutdown(): void {
    this.waiter.close();
  }
}
