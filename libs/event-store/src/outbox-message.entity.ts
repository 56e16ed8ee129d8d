import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A committed event waiting to be published to Kafka. Written in the same transaction as the
 * event, so an event exists if and only if its outbox row does; the relay marks it published.
 */
@Entity({ name: 'outbox' })
@Index('ix_outbox_unpublished', ['id'], { where: 'published_at IS NULL' })
// For the retention sweep of command-api, which deletes the oldest published rows first.
@Index('ix_outbox_published_at', ['publishedAt'], { where: 'published_at IS NOT NULL' })
@Index('ix_outbox_parked', ['topic', 'messageKey', 'id'], { where: 'parked_at IS NOT NULL AND published_at IS NULL' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Index('uq_outbox_event_position', { unique: true })
  @Column({ name: 'event_position', type: 'bigint' })
  eventPosition!: string;

  @Column({ type: 'varchar', length: 249 })
  topic!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 128 })
  messageKey!: string;

  @Column({ name: 'enqueued_at', type: 'timestamptz', default: () => 'now()' })
  enqueuedAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Set when Kafka refused the message for good (too large); the stream's later rows wait. */
  @Column({ name: 'parked_at', type: 'timestamptz', nullable: true })
  parkedAt!: Date | null;

  @Column({ name: 'parked_reason', type: 'text', nullable: true })
  parkedReason!: string | null;
}
