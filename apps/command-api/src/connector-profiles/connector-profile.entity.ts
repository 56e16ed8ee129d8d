import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Write model of a connector profile. Secrets are stored only as ciphertext. */
@Entity({ name: 'connector_profiles' })
@Index('uq_connector_profiles_client_name', ['clientId', 'name'], { unique: true, where: `status <> 'archived'` })
export class ConnectorProfileEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('ix_connector_profiles_client_id')
  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  /** AES-256-GCM ciphertext of the secrets (never the clear text). */
  @Column({ name: 'encrypted_secrets', type: 'text', nullable: true })
  encryptedSecrets!: string | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  tags!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'integer' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
