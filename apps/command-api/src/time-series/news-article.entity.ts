import { Column, Entity, PrimaryColumn } from 'typeorm';

/** News articles with sentiment, by publication time (hypertable or native partitions). */
@Entity({ name: 'news_articles' })
export class NewsArticleEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @PrimaryColumn({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  @Column({ type: 'varchar', length: 128 })
  source!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'real', nullable: true })
  sentiment!: number | null;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  symbols!: string[];
}
