import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Write model of a service proposal. The total is computed from the line items, in minor units. */
@Entity({ name: 'service_proposals' })
@Index('ix_service_proposals_client_status', ['clientId', 'status'])
export class ServiceProposalEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ name: 'line_items', type: 'jsonb' })
  lineItems!: unknown[];

  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil!: Date;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
