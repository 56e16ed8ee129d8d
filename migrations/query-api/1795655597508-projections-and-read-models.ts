import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projection engine's bookkeeping (applied_events ledger, stream_versions, pending_events,
 * dead_letters) and the first read models (client_configs, client_overviews, connector_profiles,
 * service_proposals). Generated from the entities (npm run migration:generate).
 */
export class ProjectionsAndReadModels1795655597508 implements MigrationInterface {
  name = 'ProjectionsAndReadModels1795655597508';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "read_model"."client_configs" (
                "id" uuid NOT NULL,
                "client_id" character varying(64) NOT NULL,
                "display_name" character varying(200) NOT NULL,
                "timezone" character varying(100) NOT NULL,
                "currency" character varying(3) NOT NULL,
                "status" character varying(20) NOT NULL,
                "settings" jsonb NOT NULL,
                "feature_flags" jsonb NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                "position" bigint NOT NULL,
                CONSTRAINT "PK_0910734faef4f4389014dcebb3b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_client_configs_client" ON "read_model"."client_configs" ("client_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."client_overviews" (
                "client_id" character varying(64) NOT NULL,
                "client_config_id" uuid,
                "display_name" character varying(200),
                "timezone" character varying(100),
                "currency" character varying(3),
                "status" character varying(20),
                "settings" jsonb,
                "feature_flags" jsonb,
                "config_version" integer NOT NULL DEFAULT '0',
                "connectors" jsonb NOT NULL,
                "proposals" jsonb NOT NULL,
                "accepted_total_minor" numeric(38, 0) NOT NULL DEFAULT '0',
                "last_activity_at" TIMESTAMP WITH TIME ZONE,
                "position" bigint NOT NULL DEFAULT '0',
                CONSTRAINT "PK_3afca12e8242bbf1ed6f27af391" PRIMARY KEY ("client_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."connector_profiles" (
                "id" uuid NOT NULL,
                "client_id" character varying(64) NOT NULL,
                "name" character varying(200) NOT NULL,
                "kind" character varying(20) NOT NULL,
                "status" character varying(20) NOT NULL,
                "config" jsonb NOT NULL,
                "tags" text array NOT NULL,
                "secret_names" text array NOT NULL,
                "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                "position" bigint NOT NULL,
                CONSTRAINT "PK_3e7fc708e4426c532dff336f2a2" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_connector_profiles_name" ON "read_model"."connector_profiles" ("name", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_connector_profiles_client" ON "read_model"."connector_profiles" ("client_id", "name", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."applied_events" (
                "event_id" uuid NOT NULL,
                "position" bigint NOT NULL,
                "stream_type" character varying(64) NOT NULL,
                "stream_id" character varying(128) NOT NULL,
                "stream_version" integer NOT NULL,
                "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_0e2e67708f48d94150edc7bff4e" PRIMARY KEY ("event_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."stream_versions" (
                "stream_type" character varying(64) NOT NULL,
                "stream_id" character varying(128) NOT NULL,
                "version" integer NOT NULL,
                "position" bigint NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4f92937ab88c241aa9b5acdc793" PRIMARY KEY ("stream_type", "stream_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."pending_events" (
                "stream_type" character varying(64) NOT NULL,
                "stream_id" character varying(128) NOT NULL,
                "stream_version" integer NOT NULL,
                "event_id" uuid,
                "envelope" jsonb,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_87ad6b4cca21cbf93bac0129167" PRIMARY KEY ("stream_type", "stream_id", "stream_version")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."dead_letters" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "event_id" uuid,
                "stream_type" character varying(64),
                "stream_id" character varying(128),
                "stream_version" integer,
                "event_type" character varying(128),
                "topic" character varying(249),
                "partition" integer,
                "offset" bigint,
                "reason" character varying(50) NOT NULL,
                "detail" text NOT NULL,
                "envelope" jsonb,
                "raw_excerpt" text,
                "raw_bytes" integer NOT NULL,
                "raw_sha256" character varying(64),
                "attempts" integer NOT NULL DEFAULT '1',
                "status" character varying(20) NOT NULL DEFAULT 'open',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "resolved_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_084e63809483fb0a9c48aae607f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_dead_letters_event_id" ON "read_model"."dead_letters" ("event_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_dead_letters_status" ON "read_model"."dead_letters" ("status", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "read_model"."service_proposals" (
                "id" uuid NOT NULL,
                "client_id" character varying(64) NOT NULL,
                "title" character varying(200) NOT NULL,
                "currency" character varying(3) NOT NULL,
                "status" character varying(20) NOT NULL,
                "line_items" jsonb NOT NULL,
                "total_minor" bigint NOT NULL,
                "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL,
                "rejection_reason" text,
                "drafted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "submitted_at" TIMESTAMP WITH TIME ZONE,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                "position" bigint NOT NULL,
                CONSTRAINT "PK_300b17874619929e30083ab8dba" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_service_proposals_drafted" ON "read_model"."service_proposals" ("drafted_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_service_proposals_total" ON "read_model"."service_proposals" ("total_minor", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rm_service_proposals_client" ON "read_model"."service_proposals" ("client_id", "drafted_at", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_service_proposals_client"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_service_proposals_total"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_service_proposals_drafted"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."service_proposals"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_dead_letters_status"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."uq_dead_letters_event_id"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."dead_letters"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."pending_events"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."stream_versions"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."applied_events"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_connector_profiles_client"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_connector_profiles_name"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."connector_profiles"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."client_overviews"
        `);
    await queryRunner.query(`
            DROP INDEX "read_model"."ix_rm_client_configs_client"
        `);
    await queryRunner.query(`
            DROP TABLE "read_model"."client_configs"
        `);
  }
}
