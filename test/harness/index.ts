export * from './test-run';
export * from './scratch-database';
export * from './app-process';
export * from './event-store-database';
export * from './event-collector';
export * from './sample-events';
export * from './read-model-snapshot';
export * from './private-redis';
