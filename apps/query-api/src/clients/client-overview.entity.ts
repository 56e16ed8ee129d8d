import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One client at a glance, from all three streams: its configuration (copied from client_configs)
 * and counts derived from its connector profiles and service proposals; recomputed from those rows.
 * The row may exist before the client's configuration has been seen (events of other streams
 * can arrive first): then the configuration columns are null.
 */
@Entity({ name: 'client_overviews', schema: 'read_model' })
export class ClientOverviewEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  /** Stream id of the client-config stream. */
  @Column({ name: 'client_config_id', type: 'uuid', nullable: true })
  clientConfigId!: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  timezone!: string | null;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency!: string | null;

  /** active or archived; null until the configuration is known. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  status!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  settings!: Record<string, unknown> | null;

  @Column({ name: 'feature_flags', type: 'jsonb', nullable: true })
  featureFlags!: Record<string, boolean> | null;

  /** Version of the client-config stream applied (0: not seen yet). */
  @Column({ name: 'config_version', type: 'integer', default: 0 })
  configVersion!: number;

  /** `{ total, byKind: {postgres: n}, byStatus: {active: n} }` */
  @Column({ type: 'jsonb' })
  connectors!: Record<string, unknown>;

  /** `{ total, byStatus: {draft: n} }` */
  @Column({ type: 'jsonb' })
  proposals!: Record<string, unknown>;

  /** Sum of the totals of accepted proposals, minor units, exact. */
  @Column({ name: 'accepted_total_minor', type: 'numeric', precision: 38, scale: 0, default: 0 })
  acceptedTotalMinor!: string;

  @Column({ name: 'last_activity_at', type: 'timestamptz', nullable: true })
  lastActivityAt!: Date | null;

  /** Highest global position among the events reflected in this row. */
  @Column({ type: 'bigint', default: 0 })
  position!: string;
}
