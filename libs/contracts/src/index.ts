export * from './streams';
export * from './envelope';
export * from './problem-details';
