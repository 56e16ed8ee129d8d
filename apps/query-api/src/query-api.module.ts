import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { CacheModule, RedisHealthIndicator } from '@analytics/cache';
import { DatabaseHealthIndicator, PersistenceModule } from '@analytics/persistence';
import { KafkaHealthIndicator, MessagingModule } from '@analytics/messaging';
import { HealthModule, LoggingModule, MetricsModule } from '@analytics/observability';
import { queryApiConfig } from './query-api.config';
import { queryApiSchema } from './query-api.schema';
import { ConsistencyModule } from './consistency/consistency.module';
import { ProjectionsHealthIndicator } from './consistency/projections.health';
import { ProjectionsModule } from './projections/projections.module';
import { ProjectionRebuildModule } from './projections/rebuild/projection-rebuild.module';
import { ReadModelsModule } from './read-models.module';

const APP = 'query-api';
const persistence = PersistenceModule.forRoot({ owner: queryApiSchema, database: 'read' });
const messaging = MessagingModule.forRoot({ app: APP });
const cache = CacheModule.forRoot({ app: APP });

/** The read side: events in from Kafka, projections in Postgres, queries cached in Redis. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [queryApiConfig] }),
    LoggingModule.forRoot({ app: APP }),
    MetricsModule.forRoot({ app: APP }),
    CqrsModule.forRoot(),
    persistence,
    messaging,
    cache,
    ConsistencyModule,
    ProjectionsModule,
    ProjectionRebuildModule,
    ReadModelsModule,
    HealthModule.forRoot({
      imports: [persistence, messaging, cache, ConsistencyModule],
      readiness: [DatabaseHealthIndicator, KafkaHealthIndicator, RedisHealthIndicator],
      // A stalled consumer is reported (under `degraded`), not a 503: see README, "Read side".
      degradable: [ProjectionsHealthIndicator],
    }),
  ],
})
export class QueryApiModule {}
