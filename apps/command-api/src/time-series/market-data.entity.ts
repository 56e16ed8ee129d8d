import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Market ticks (hypertable, or natively partitioned by `time`). */
@Entity({ name: 'market_data' })
export class MarketDataEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  symbol!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  time!: Date;

  @Column({ type: 'numeric', precision: 20, scale: 8 })
  price!: string;

  @Column({ type: 'numeric', precision: 28, scale: 8, nullable: true })
  volume!: string | null;

  @Column({ type: 'varchar', length: 64 })
  source!: string;
}
