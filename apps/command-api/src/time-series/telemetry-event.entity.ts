import { Column, Entity, PrimaryColumn } from 'typeorm';

/** System telemetry samples (hypertable or native partitions). */
@Entity({ name: 'telemetry_events' })
export class TelemetryEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  time!: Date;

  @Column({ type: 'varchar', length: 128 })
  source!: string;

  @Column({ type: 'varchar', length: 128 })
  metric!: string;

  @Column({ type: 'double precision' })
  value!: number;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  attributes!: Record<string, unknown>;
}
