export * from './stored-event.entity';
export * from './outbox-message.entity';
export * from './event-store';
export * from './event-store.errors';
export * from './outbox/envelope';
export * from './outbox/outbox-relay';
