export * from './stored-event.entity';
export * from './outbox-message.entity';
