export * from './test-run';
export * from './scratch-database';
export * from './app-process';
export * from './event-store-database';
export * from './event-collector';
