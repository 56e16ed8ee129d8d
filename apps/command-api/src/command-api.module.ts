import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { DatabaseHealthIndicator, PersistenceModule } from '@analytics/persistence';
import { KafkaHealthIndicator, MessagingModule } from '@analytics/messaging';
import { HealthModule, LoggingModule, MetricsModule } from '@analytics/observability';
import { commandApiConfig } from './command-api.config';
import { commandApiSchema } from './command-api.schema';
import { OutboxModule } from './outbox/outbox.module';
import { RetentionModule } from './retention/retention.module';
import { SecretsModule } from './secrets/secrets.module';
import { CommandExecutorModule } from './shared/command-executor.module';
import { ClientConfigsModule } from './client-configs/client-configs.module';
import { ConnectorProfilesModule } from './connector-profiles/connector-profiles.module';
import { ServiceProposalsModule } from './service-proposals/service-proposals.module';
import { StreamsModule } from './streams/streams.module';
import { EventContractsModule } from './event-contracts/event-contracts.module';
import { CommandMetrics } from './shared/command-metrics';

const APP = 'command-api';
const persistence = PersistenceModule.forRoot({ owner: commandApiSchema, database: 'write' });
const messaging = MessagingModule.forRoot({ app: APP });

/** The write side: commands in over HTTP, events out through the outbox. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [commandApiConfig] }),
    LoggingModule.forRoot({ app: APP }),
    MetricsModule.forRoot({ app: APP }),
    CqrsModule.forRoot(),
    persistence,
    messaging,
    SecretsModule,
    CommandExecutorModule,
    OutboxModule,
    RetentionModule,
    ClientConfigsModule,
    ConnectorProfilesModule,
    ServiceProposalsModule,
    StreamsModule,
    EventContractsModule,
    // Its own dependencies only: the write side does not use Redis.
    HealthModule.forRoot({
      imports: [persistence, messaging],
      readiness: [DatabaseHealthIndicator],
      // Commands commit to the outbox without the broker; the relay publishes once it is back.
      degradable: [KafkaHealthIndicator],
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: CommandMetrics }],
})
export class CommandApiModule {}
