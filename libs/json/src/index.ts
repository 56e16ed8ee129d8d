export * from './parse-json';
