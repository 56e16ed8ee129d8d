export * from './redis.config';
export * from './redis.health';
export * from './cache.module';
export * from './read-through';
