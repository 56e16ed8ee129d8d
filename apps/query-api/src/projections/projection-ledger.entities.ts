import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The ledger of applied events: one row per event, written in the transaction that applied it.
 * It is keyed by the event's position (the event store's key for it, carried by every delivery of
 * the event): the key makes a redelivered event a no-op, and answers read-your-writes ("is the
 * event at position P applied?").
 */
@Entity({ name: 'applied_events', schema: 'read_model' })
export class AppliedEventEntity {
  @PrimaryColumn({ type: 'bigint' })
  position!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'stream_type', type: 'varchar', length: 64 })
  streamType!: string;

  @Column({ name: 'stream_id', type: 'varchar', length: 128 })
  streamId!: string;

  @Column({ name: 'stream_version', type: 'integer' })
  streamVersion!: number;

  @Column({ name: 'applied_at', type: 'timestamptz', default: () => 'now()' })
  appliedAt!: Date;
}

/**
 * How far the ledger retention has pruned `applied_events` (one row, id 1): every position at or
 * below `pruned_through` was applied more than LEDGER_RETENTION_HOURS ago, or never
 * reached the read model in that time (see ledger-retention.ts). Read-your-writes counts such a
 * position as applied; its row is gone.
 */
@Entity({ name: 'ledger_horizon', schema: 'read_model' })
export class LedgerHorizonEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ name: 'pruned_through', type: 'bigint' })
  prunedThrough!: string;

  @Column({ name: 'pruned_at', type: 'timestamptz', default: () => 'now()' })
  prunedAt!: Date;
}

/** Per stream, the last version applied: version n applies only on top of n - 1. */
@Entity({ name: 'stream_versions', schema: 'read_model' })
export class StreamVersionEntity {
  @PrimaryColumn({ name: 'stream_type', type: 'varchar', length: 64 })
  streamType!: string;

  @PrimaryColumn({ name: 'stream_id', type: 'varchar', length: 128 })
  streamId!: string;

  @Column({ type: 'integer' })
  version!: number;

  /** Global position of the last event applied to the stream (0: none). */
  @Column({ type: 'bigint' })
  position!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/**
 * Events that arrived before their predecessor (or behind a dead-lettered one): applied, in
 * version order, by the transaction that applies the missing version. A row without an envelope
 * is a skipped version (a dead letter an operator skipped): the chain passes over it.
 */
@Entity({ name: 'pending_events', schema: 'read_model' })
export class PendingEventEntity {
  @PrimaryColumn({ name: 'stream_type', type: 'varchar', length: 64 })
  streamType!: string;

  @PrimaryColumn({ name: 'stream_id', type: 'varchar', length: 128 })
  streamId!: string;

  @PrimaryColumn({ name: 'stream_version', type: 'integer' })
  streamVersion!: number;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;

  /** The decoded (upcast, validated) envelope; null for a skipped version. */
  @Column({ type: 'jsonb', nullable: true })
  envelope!: Record<string, unknown> | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}

/**
 * Events that could not be applied (after bounded retries), with the reason. The consumer moves
 * past them; later events of the same stream wait in pending_events until the dead letter is
 * retried successfully or skipped.
 */
@Entity({ name: 'dead_letters', schema: 'read_model' })
@Index('ix_dead_letters_status', ['status', 'id'])
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Index('uq_dead_letters_event_id', { unique: true })
  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId!: string | null;

  @Column({ name: 'stream_type', type: 'varchar', length: 64, nullable: true })
  streamType!: string | null;

  @Column({ name: 'stream_id', type: 'varchar', length: 128, nullable: true })
  streamId!: string | null;

  @Column({ name: 'stream_version', type: 'integer', nullable: true })
  streamVersion!: number | null;

  @Column({ name: 'event_type', type: 'varchar', length: 128, nullable: true })
  eventType!: string | null;

  @Column({ type: 'varchar', length: 249, nullable: true })
  topic!: string | null;

  @Column({ type: 'integer', nullable: true })
  partition!: number | null;

  @Column({ type: 'bigint', nullable: true })
  offset!: string | null;

  /** A short code: too-large, invalid-json, forbidden-key, invalid-envelope, unknown-event-type ... */
  @Column({ type: 'varchar', length: 50 })
  reason!: string;

  @Column({ type: 'text' })
  detail!: string;

  /** The parsed message (when it was JSON of a sane size): what a retry applies. */
  @Column({ type: 'jsonb', nullable: true })
  envelope!: Record<string, unknown> | null;

  /** The first bytes of the raw value, as text with invalid UTF-8 replaced (never executed or parsed). */
  @Column({ name: 'raw_excerpt', type: 'text', nullable: true })
  rawExcerpt!: string | null;

  @Column({ name: 'raw_bytes', type: 'integer' })
  rawBytes!: number;

  @Column({ name: 'raw_sha256', type: 'varchar', length: 64, nullable: true })
  rawSha256!: string | null;

  @Column({ type: 'integer', default: 1 })
  attempts!: number;

  /** open, retried (applied or queued on a retry), skipped. */
  @Column({ type: 'varchar', length: 20, default: 'open' })
  status!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}
