import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records which transaction wrote each event, so that the event feed can be read in commit-safe
 * order: positions are taken when a transaction inserts, not when it commits, so a reader paging
 * by position alone would skip an event whose transaction commits after a higher position.
 * Reading by (transaction id, position) below the oldest running transaction never skips.
 *
 * The default goes through a function so that TypeORM's schema diff sees a plain default
 * expression (it does not know the `xid8` type).
 */
export class EventsCommitOrder1795712400000 implements MigrationInterface {
  name = 'EventsCommitOrder1795712400000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE FUNCTION current_transaction_id() RETURNS bigint LANGUAGE sql VOLATILE
      AS 'SELECT pg_current_xact_id()::text::bigint'`);
    await db.query(`ALTER TABLE "events" ADD "transaction_id" bigint NOT NULL DEFAULT current_transaction_id()`);
    await db.query(`CREATE INDEX "ix_events_commit_order" ON "events" ("transaction_id", "position")`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "ix_events_commit_order"`);
    await db.query(`ALTER TABLE "events" DROP COLUMN "transaction_id"`);
    await db.query(`DROP FUNCTION current_transaction_id()`);
  }
}
