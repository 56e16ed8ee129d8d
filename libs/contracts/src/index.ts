export * from './streams';
export * from './envelope';
export * from './problem-details';
export * from './client-config/client-config.events';
