import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConfig, KafkaConfig } from './kafka.config';
import { KafkaHealthIndicator } from './kafka.health';
import { kafkaLogCreator } from './kafka-log';
import { TopicNames } from './topic-names';

/**
 * The app's kafkajs client (injectable as `Kafka`), its topic naming, and its readiness check.
 * Producers, consumers and admin clients are created by the features that need them.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: { app: string }): DynamicModule {
    return {
      module: MessagingModule,
      // One client per app, used by any feature module: registered globally like TypeORM's data source.
      global: true,
      imports: [TerminusModule, ConfigModule.forFeature(kafkaConfig)],
      providers: [
        {
          provide: Kafka,
          inject: [kafkaConfig.KEY],
          useFactory: (config: KafkaConfig) =>
            new Kafka({
              clientId: config.clientId ?? options.app,
              brokers: config.brokers,
              connectionTimeout: 3_000,
              requestTimeout: 10_000,
              logLevel: logLevel.WARN,
              logCreator: kafkaLogCreator,
            }),
        },
        {
          provide: TopicNames,
          inject: [kafkaConfig.KEY],
          useFactory: (config: KafkaConfig) => new TopicNames(config.topicPrefix),
        },
        KafkaHealthIndicator,
      ],
      exports: [Kafka, TopicNames, KafkaHealthIndicator],
    };
  }
}
