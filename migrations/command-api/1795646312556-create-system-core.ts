import { createHypertable, dropHypertable, enableTimescaleIfAvailable } from '@analytics/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Zone 1 of the write side: event store, outbox, idempotency records, the normalized write model,
 * the time-series tables (TimescaleDB hypertables, or native range partitions where the extension
 * is not installed) and the schema of the dynamic layer (Zone 2, filled by the application).
 */
export class CreateSystemCore1795646312556 implements MigrationInterface {
  name = 'CreateSystemCore1795646312556';

  public async up(db: QueryRunner): Promise<void> {
    await enableTimescaleIfAvailable(db);
    await db.query(`CREATE SCHEMA IF NOT EXISTS "analytics_data"`);

    await db.query(`CREATE TABLE "events" (
      "position" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "event_id" uuid NOT NULL,
      "stream_type" character varying(64) NOT NULL,
      "stream_id" character varying(128) NOT NULL,
      "stream_version" integer NOT NULL,
      "event_type" character varying(128) NOT NULL,
      "schema_version" integer NOT NULL,
      "data" jsonb NOT NULL,
      "metadata" jsonb NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_d5e01c63c9c1aa38b3c7015184b" PRIMARY KEY ("position"))`);
    await db.query(`CREATE UNIQUE INDEX "uq_events_event_id" ON "events" ("event_id")`);
    await db.query(
      `CREATE UNIQUE INDEX "uq_events_stream_version" ON "events" ("stream_type", "stream_id", "stream_version")`,
    );

    await db.query(`CREATE TABLE "outbox" (
      "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
      "event_position" bigint NOT NULL,
      "topic" character varying(249) NOT NULL,
      "message_key" character varying(128) NOT NULL,
      "enqueued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "published_at" TIMESTAMP WITH TIME ZONE,
      "attempts" integer NOT NULL DEFAULT '0',
      "last_error" text,
      CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`);
    await db.query(`CREATE UNIQUE INDEX "uq_outbox_event_position" ON "outbox" ("event_position")`);
    await db.query(`CREATE INDEX "ix_outbox_unpublished" ON "outbox" ("id") WHERE published_at IS NULL`);

    await db.query(`CREATE TABLE "idempotency_records" (
      "key" character varying(255) NOT NULL,
      "request_hash" character(64) NOT NULL,
      "response_status" integer NOT NULL,
      "response_body" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_f97e644e78e639ac55614cbaffe" PRIMARY KEY ("key"))`);
    await db.query(`CREATE INDEX "ix_idempotency_records_expires_at" ON "idempotency_records" ("expires_at")`);

    await db.query(`CREATE TABLE "client_configs" (
      "id" uuid NOT NULL,
      "client_id" character varying(64) NOT NULL,
      "display_name" character varying(200) NOT NULL,
      "timezone" character varying(64) NOT NULL,
      "currency" character(3) NOT NULL,
      "settings" jsonb NOT NULL DEFAULT '{}'::jsonb,
      "feature_flags" jsonb NOT NULL DEFAULT '{}'::jsonb,
      "status" character varying(16) NOT NULL,
      "version" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_1a6913b4da966de696fe3b45bdd" UNIQUE ("client_id"),
      CONSTRAINT "PK_0910734faef4f4389014dcebb3b" PRIMARY KEY ("id"))`);

    await db.query(`CREATE TABLE "connector_profiles" (
      "id" uuid NOT NULL,
      "client_id" character varying(64) NOT NULL,
      "name" character varying(200) NOT NULL,
      "kind" character varying(32) NOT NULL,
      "config" jsonb NOT NULL,
      "encrypted_secrets" text,
      "tags" text array NOT NULL DEFAULT '{}',
      "status" character varying(16) NOT NULL,
      "version" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_3e7fc708e4426c532dff336f2a2" PRIMARY KEY ("id"))`);
    await db.query(`CREATE INDEX "ix_connector_profiles_client_id" ON "connector_profiles" ("client_id")`);
    await db.query(
      `CREATE UNIQUE INDEX "uq_connector_profiles_client_name" ON "connector_profiles" ("client_id", "name") WHERE status <> 'archived'`,
    );

    await db.query(`CREATE TABLE "service_proposals" (
      "id" uuid NOT NULL,
      "client_id" character varying(64) NOT NULL,
      "title" character varying(200) NOT NULL,
      "currency" character(3) NOT NULL,
      "line_items" jsonb NOT NULL,
      "total_minor" bigint NOT NULL,
      "status" character varying(16) NOT NULL,
      "valid_until" TIMESTAMP WITH TIME ZONE NOT NULL,
      "rejection_reason" text,
      "version" integer NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_300b17874619929e30083ab8dba" PRIMARY KEY ("id"))`);
    await db.query(`CREATE INDEX "ix_service_proposals_client_status" ON "service_proposals" ("client_id", "status")`);

    await db.query(`CREATE TABLE "time_series_tables" (
      "table_name" character varying(63) NOT NULL,
      "time_column" character varying(63) NOT NULL,
      "chunk_interval" interval NOT NULL,
      "retention" interval,
      "mode" character varying(32) NOT NULL,
      CONSTRAINT "PK_0413b726b3916cee817ac62a16f" PRIMARY KEY ("table_name"))`);

    await createHypertable(db, {
      table: 'market_data',
      timeColumn: 'time',
      chunkInterval: '1 day',
      columns: `"symbol" character varying(32) NOT NULL,
        "time" TIMESTAMP WITH TIME ZONE NOT NULL,
        "price" numeric(20,8) NOT NULL,
        "volume" numeric(28,8),
        "source" character varying(64) NOT NULL,
        CONSTRAINT "PK_c2bacd2ab6b437bb37bbbb7aa38" PRIMARY KEY ("symbol", "time")`,
    });
    await createHypertable(db, {
      table: 'news_articles',
      timeColumn: 'published_at',
      chunkInterval: '7 days',
      columns: `"id" uuid NOT NULL,
        "published_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "source" character varying(128) NOT NULL,
        "title" text NOT NULL,
        "url" text,
        "sentiment" real,
        "symbols" text array NOT NULL DEFAULT '{}',
        CONSTRAINT "PK_874f5369c2a26239d0d4ce9e8d2" PRIMARY KEY ("id", "published_at")`,
    });
    await createHypertable(db, {
      table: 'telemetry_events',
      timeColumn: 'time',
      chunkInterval: '1 day',
      columns: `"id" uuid NOT NULL,
        "time" TIMESTAMP WITH TIME ZONE NOT NULL,
        "source" character varying(128) NOT NULL,
        "metric" character varying(128) NOT NULL,
        "value" double precision NOT NULL,
        "attributes" jsonb NOT NULL DEFAULT '{}'::jsonb,
        CONSTRAINT "PK_3a9e9af582b5e1e6859dd11f758" PRIMARY KEY ("id", "time")`,
    });
  }

  public async down(db: QueryRunner): Promise<void> {
    await dropHypertable(db, 'telemetry_events');
    await dropHypertable(db, 'news_articles');
    await dropHypertable(db, 'market_data');
    await db.query(`DROP TABLE "time_series_tables"`);
    await db.query(`DROP TABLE "service_proposals"`);
    await db.query(`DROP TABLE "connector_profiles"`);
    await db.query(`DROP TABLE "client_configs"`);
    await db.query(`DROP TABLE "idempotency_records"`);
    await db.query(`DROP TABLE "outbox"`);
    await db.query(`DROP TABLE "events"`);
    // Without CASCADE on purpose: reverting must not silently drop user-defined tables.
    await db.query(`DROP SCHEMA "analytics_data"`);
  }
}
