import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { PreparedStatements } from '@analytics/persistence';
import { DataSource } from 'typeorm';
import { ProjectionCommits } from '../consistency/projection-commits';
import { DeadLettersController } from '../dead-letters/dead-letters.http.controller';
import { EventDecoder } from './event-decoder';
import { ledgerRetentionConfig } from './ledger-retention/ledger-retention.config';
import { LedgerRetentionService } from './ledger-retention/ledger-retention.service';
import { ProjectionEngine } from './projection-engine';
import { projectionsConfig, ProjectionsConfig } from './projections.config';
import { ProjectionsConsumer } from './projections.consumer';
import { ProjectionsMetrics } from './projections.metrics';
import { ReadModelStore } from './read-model.store';

/**
 * Kafka in, read model out: the consumer, the engine, its metrics, the ledger's retention, and
 * the dead-letter admin endpoints.
 */
@Module({
  imports: [ConfigModule.forFeature(projectionsConfig), ConfigModule.forFeature(ledgerRetentionConfig)],
  controllers: [DeadLettersController],
  providers: [
    ProjectionsMetrics,
    {
      provide: ProjectionEngine,
      inject: [getDataSourceToken(), projectionsConfig.KEY, ProjectionsMetrics, ProjectionCommits],
      useFactory: (
        db: DataSource,
        config: ProjectionsConfig,
        metrics: ProjectionsMetrics,
        commits: ProjectionCommits,
      ) =>
        new ProjectionEngine(
          PreparedStatements.of(db),
          new EventDecoder({ maxBytes: config.maxEventBytes }),
          new ReadModelStore(),
          {
            projection: config.groupId,
            maxAttempts: config.maxAttempts,
            retryDelayMs: 200,
            rawExcerptBytes: 4096,
            pausableBySwitch: true,
          },
          metrics,
          commits.committed,
        ),
    },
    ProjectionsConsumer,
    LedgerRetentionService,
  ],
  exports: [ProjectionEngine],
})
export class ProjectionsModule {}
