import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store's expected-version check as a function that raises, so that an append of the
 * wrong version fails as a whole statement: the writes that go with the events (outbox, write
 * model, idempotency record) are in that statement and need no guard of their own. DETAIL carries
 * the version found, for the 409 answer.
 */
export class StreamVersionCheck1795740000000 implements MigrationInterface {
  name = 'StreamVersionCheck1795740000000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE FUNCTION expect_stream_version(actual integer, expected integer) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF actual <> expected THEN
          RAISE EXCEPTION 'stream is at version %, not %', actual, expected
            USING ERRCODE = 'ES409', DETAIL = actual::text;
        END IF;
        RETURN true;
      END $$`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION expect_stream_version(integer, integer)`);
  }
}
