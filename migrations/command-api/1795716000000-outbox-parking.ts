import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox rows Kafka refuses for good (too large for the topic) are parked with a reason. */
export class OutboxParking1795716000000 implements MigrationInterface {
  name = 'OutboxParking1795716000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "outbox" ADD "parked_at" TIMESTAMP WITH TIME ZONE`);
    await db.query(`ALTER TABLE "outbox" ADD "parked_reason" text`);
    await db.query(
      `CREATE INDEX "ix_outbox_parked" ON "outbox" ("topic", "message_key", "id") WHERE parked_at IS NOT NULL AND published_at IS NULL`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "ix_outbox_parked"`);
    await db.query(`ALTER TABLE "outbox" DROP COLUMN "parked_reason"`);
    await db.query(`ALTER TABLE "outbox" DROP COLUMN "parked_at"`);
  }
}
