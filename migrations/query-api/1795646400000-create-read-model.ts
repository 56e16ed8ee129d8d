import { MigrationInterface, QueryRunner } from 'typeorm';

/** The read side's schema: denormalized projections live in `read_model`, with their checkpoints. */
export class CreateReadModel1795646400000 implements MigrationInterface {
  name = 'CreateReadModel1795646400000';

  public async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS "read_model"`);
    await db.query(`CREATE TABLE "read_model"."projection_checkpoints" (
      "projection" character varying(100) NOT NULL,
      "topic" character varying(249) NOT NULL,
      "partition" integer NOT NULL,
      "next_offset" bigint NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_projection_checkpoints" PRIMARY KEY ("projection", "topic", "partition"))`);
  }

  public async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "read_model"."projection_checkpoints"`);
    await db.query(`DROP SCHEMA "read_model"`);
  }
}
