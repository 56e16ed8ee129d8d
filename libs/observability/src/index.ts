export * from './health/readiness-indicator';
export * from './health/health.module';
export * from './metrics/metrics.module';
export * from './logging/logging.module';
export * from './logging/logging.config';
export * from './logging/correlation-id';
