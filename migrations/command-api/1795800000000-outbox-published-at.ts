import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention sweep finds published rows past their retention by `published_at`; without an
 * index it read the whole outbox (a week of rows) every minute, even when none was old enough.
 */
export class OutboxPublishedAt1795800000000 implements MigrationInterface {
  name = 'OutboxPublishedAt1795800000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX "ix_outbox_published_at" ON "outbox" ("published_at") WHERE published_at IS NOT NULL`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "ix_outbox_published_at"`);
  }
}
