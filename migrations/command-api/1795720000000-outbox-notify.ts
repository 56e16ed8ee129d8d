import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox relay when rows become pending instead of leaving them to its next poll: every
 * statement that inserts outbox rows (or puts rows back in line: unpark, reset) notifies channel
 * `outbox_pending`. Postgres delivers a notification only when its transaction commits, and folds
 * the notifications of one transaction into one. The relay LISTENs on its leader session
 * (libs/event-store/src/outbox/outbox-relay.ts) and still polls as a fallback.
 */
export class OutboxNotify1795720000000 implements MigrationInterface {
  name = 'OutboxNotify1795720000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION "outbox_notify_pending"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_pending', '');
        RETURN NULL;
      END
      $$`);
    await db.query(
      `CREATE TRIGGER "outbox_notify_pending" AFTER INSERT OR UPDATE OF "published_at", "parked_at" ON "outbox"
         FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify_pending"()`,
    );
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER "outbox_notify_pending" ON "outbox"`);
    await db.query(`DROP FUNCTION "outbox_notify_pending"()`);
  }
}
