import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger retention's horizon: how far `applied_events` has been pruned (one row). Without the
 * retention the ledger grew by one row per event, for ever; read-your-writes reads the horizon to
 * count a pruned position as applied.
 */
export class LedgerHorizon1796323804420 implements MigrationInterface {
  name = 'LedgerHorizon1796323804420';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "read_model"."ledger_horizon" (
        "id" smallint NOT NULL,
        "pruned_through" bigint NOT NULL,
        "pruned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_42c4aba76a1cf2fbdcf5e287df9" PRIMARY KEY ("id")
      )`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "read_model"."ledger_horizon"`);
  }
}
