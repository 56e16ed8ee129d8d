export * from './database.config';
export * from './data-source.factory';
export * from './database.health';
export * from './persistence.module';
export * from './queryable';
export * from './schema-drift';
export * from './time-series';
export * from './migrate';
