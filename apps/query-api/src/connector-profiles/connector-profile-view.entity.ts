import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A connector profile as queries see it: no secrets, only the names of the secrets it holds. */
@Entity({ name: 'connector_profiles', schema: 'read_model' })
@Index('ix_rm_connector_profiles_client', ['clientId', 'name', 'id'])
@Index('ix_rm_connector_profiles_name', ['name', 'id'])
export class ConnectorProfileViewEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ name: 'secret_names', type: 'text', array: true })
  secretNames!: string[];

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'bigint' })
  position!: string;
}
