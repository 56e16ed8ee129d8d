import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One event in the append-only store. `position` orders all events globally; the unique
 * (stream_type, stream_id, stream_version) is what enforces optimistic concurrency: two writers
 * expecting the same version cannot both commit.
 */
@Entity({ name: 'events' })
@Index('uq_events_stream_version', ['streamType', 'streamId', 'streamVersion'], { unique: true })
@Index('ix_events_commit_order', ['transactionId', 'position'])
export class StoredEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  position!: string;

  @Index('uq_events_event_id', { unique: true })
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'stream_type', type: 'varchar', length: 64 })
  streamType!: string;

  @Column({ name: 'stream_id', type: 'varchar', length: 128 })
  streamId!: string;

  @Column({ name: 'stream_version', type: 'integer' })
  streamVersion!: number;

  @Column({ name: 'event_type', type: 'varchar', length: 128 })
  eventType!: string;

  @Column({ name: 'schema_version', type: 'integer' })
  schemaVersion!: number;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  /** The writing transaction (xid): the event feed reads in (transaction id, position) order. */
  @Column({ name: 'transaction_id', type: 'bigint', default: () => 'current_transaction_id()' })
  transactionId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;
}
