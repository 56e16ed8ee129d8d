export * from './read-through-cache';
export * from './cache-metrics';
export * from './circuit-breaker';
export * from './positions';
