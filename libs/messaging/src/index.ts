export * from './kafka.config';
export * from './kafka.health';
export * from './messaging.module';
export * from './topic-names';
export * from './kafkajs-node24';
export * from './ensure-topics';
