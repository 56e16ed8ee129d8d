import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A service proposal with its lines (each with its amount) and exact total. */
@Entity({ name: 'service_proposals', schema: 'read_model' })
@Index('ix_rm_service_proposals_client', ['clientId', 'draftedAt', 'id'])
@Index('ix_rm_service_proposals_total', ['totalMinor', 'id'])
@Index('ix_rm_service_proposals_drafted', ['draftedAt', 'id'])
export class ServiceProposalViewEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 64 })
  clientId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  /** draft, submitted, accepted, rejected, withdrawn */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** `[{ sku, description, quantity, unitPriceMinor, amountMinor: "<digits>" }]` */
  @Column({ name: 'line_items', type: 'jsonb' })
  lineItems!: Record<string, unknown>[];

  @Column({ name: 'total_minor', type: 'bigint' })
  totalMinor!: string;

  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil!: Date;

  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'drafted_at', type: 'timestamptz' })
  draftedAt!: Date;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  /** When it was accepted, rejected or withdrawn. */
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'bigint' })
  position!: string;
}
