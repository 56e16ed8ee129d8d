export * from './problem-details.filter';
export * from './validation';
export * from './create-http-app';
export * from './api-problems';
