export * from './define-config';
