import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read-your-writes asks the ledger "is the event at position P applied?": index the position. */
export class AppliedEventsPositionIndex1795700000000 implements MigrationInterface {
  name = 'AppliedEventsPositionIndex1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "ix_applied_events_position" ON "read_model"."applied_events" ("position")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_applied_events_position"
        `);
  }
}
