import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The client-config stream folded, one row per stream: the source of the configuration part of a
 * client's overview. Kept apart from the overview so that a stream's events only ever write their
 * own row (streams are partition-local), and overviews are recomputed from rows in one place.
 */
@Entity({ name: 'client_configs', schema: 'read_model' })
export class ClientConfigViewEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_rm_client_configs_client')
  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @Column({ type: 'varchar', length: 100 })
  timezone!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'jsonb' })
  settings!: Record<string, unknown>;

  @Column({ name: 'feature_flags', type: 'jsonb' })
  featureFlags!: Record<string, boolean>;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'bigint' })
  position!: string;
}
