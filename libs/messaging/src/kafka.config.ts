import { defineConfig } from '@analytics/config';
import { IsOptional, IsString, Matches } from 'class-validator';

class KafkaEnv {
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsOptional()
  @IsString()
  KAFKA_CLIENT_ID?: string = undefined;

  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-" only' })
  KAFKA_TOPIC_PREFIX = '';
}

export interface KafkaConfig {
  /** Env `KAFKA_BROKERS`, comma list, default `127.0.0.1:9092`. */
  brokers: string[];
  /** Env `KAFKA_CLIENT_ID`, default the app name. */
  clientId?: string;
  /**
   * Env `KAFKA_TOPIC_PREFIX`, default empty. Prepended to every topic name; lets test runs
   * (and shared dev brokers) keep their topics apart. Production leaves it empty.
   */
  topicPrefix: string;
}

/** Config namespace `kafka`. */
export const kafkaConfig = defineConfig('kafka', KafkaEnv, (env): KafkaConfig => ({
  brokers: env.KAFKA_BROKERS.split(','),
  clientId: env.KAFKA_CLIENT_ID,
  topicPrefix: env.KAFKA_TOPIC_PREFIX,
}));
