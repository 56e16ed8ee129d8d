import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Catalog row of one time-series table: how it is chunked, stored, and how long data is kept. */
@Entity({ name: 'time_series_tables' })
export class TimeSeriesTableEntity {
  @PrimaryColumn({ name: 'table_name', type: 'varchar', length: 63 })
  tableName!: string;

  @Column({ name: 'time_column', type: 'varchar', length: 63 })
  timeColumn!: string;

  @Column({ name: 'chunk_interval', type: 'interval' })
  chunkInterval!: string;

  @Column({ type: 'interval', nullable: true })
  retention!: string | null;

  /** `timescaledb` or `native-partitioning`, as detected when the table was created. */
  @Column({ type: 'varchar', length: 32 })
  mode!: string;
}
