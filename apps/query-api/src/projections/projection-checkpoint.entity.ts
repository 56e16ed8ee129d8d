import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where a projection has got to in one topic partition. Written in the same transaction as the
 * projection's rows, so the read model and its position can never disagree; Kafka's committed
 * offsets are only a hint, this table is the truth the consumer resumes from.
 */
@Entity({ name: 'projection_checkpoints', schema: 'read_model' })
export class ProjectionCheckpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  projection!: string;

  @PrimaryColumn({ type: 'varchar', length: 249 })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  /** The next offset to apply (Kafka's convention for committed offsets). */
  @Column({ name: 'next_offset', type: 'bigint' })
  nextOffset!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
