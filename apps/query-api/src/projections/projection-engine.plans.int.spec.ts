import { createDataSource, PreparedStatements, Queryable, runPendingMigrations } from '@analytics/persistence';
import { createScratchDatabase, envelopesOf, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { queryApiSchema } from '../query-api.schema';
import { EventDecoder } from './event-decoder';
import { IncomingMessage, ProjectionEngine } from './projection-engine';
import { ReadModelStore } from './read-model.store';

// pg's own conversion of a parameter to its text form (arrays, dates, buffers); pg has no types for it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): string | null };

/**
 * The engine plans its batch statements once per connection (generic plans; see `beginBatch`).
 * Those plans are made while the read model may still be empty (a new read database, a rebuild),
 * and kept: they must still go through the indexes once the tables are large, or every later
 * batch would read whole tables.
 */
describe('ProjectionEngine batch statements on a grown read model', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;

  beforeAll(async () => {
    scratch = await createScratchDatabase('projection_plans');
    await runPendingMigrations(queryApiSchema, scratch.url);
    db = await createDataSource(queryApiSchema, { url: scratch.url, poolMax: 2 }).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  /** Every statement a transaction of the engine issued, with its parameters, in order. */
  function recording(inner: PreparedStatements) {
    const statements: { sql: string; parameters: unknown[] }[] = [];
    const record = (target: Queryable): Queryable => ({
      query: (sql, parameters = []) => {
        statements.push({ sql, parameters });
        return target.query(sql, parameters);
      },
    });
    return {
      statements,
      db: {
        query: inner.query.bind(inner),
        transaction: <T>(work: (tx: Queryable) => Promise<T>) => inner.transaction((tx) => work(record(tx))),
      },
    };
  }

  let nextOffset = 0;

  /** One batch of a client's history: its config, connector profiles and proposals, renamed and decided. */
  function batch(): IncomingMessage[] {
    const clientId = `plans-${randomUUID().slice(0, 8)}`;
    const profileId = randomUUID();
    const proposalId = randomUUID();
    const envelopes = [
      ...envelopesOf('client-config', randomUUID(), [sample.clientCreated(clientId)]),
      ...envelopesOf('connector-profile', profileId, [
        sample.connectorRegistered(clientId, 'warehouse'),
        sample.connectorUpdated({ name: 'lake' }),
      ]),
      ...envelopesOf('service-proposal', proposalId, [sample.proposalDrafted(clientId, [[2, 150]])]),
    ];
    return envelopes.map((envelope) => ({
      topic: `plans.${envelope.streamType}`,
      partition: 0,
      offset: String(nextOffset++),
      streamType: envelope.streamType,
      value: Buffer.from(JSON.stringify(envelope)),
    }));
  }

  /** Rows in every table a batch reads, as a read model holds after a long history (statistics left as they were). */
  async function growReadModel(runner: QueryRunner, rows: number): Promise<void> {
    const grow = (sql: string) => runner.query(sql, [rows]);
    await grow(`INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version)
      SELECT gen_random_uuid(), 1000000 + n, 'connector-profile', gen_random_uuid()::text, 1 FROM generate_series(1, $1::int) AS n`);
    await grow(`INSERT INTO read_model.stream_versions (stream_type, stream_id, version, position)
      SELECT 'connector-profile', gen_random_uuid()::text, 1, n FROM generate_series(1, $1::int) AS n`);
    await grow(`INSERT INTO read_model.pending_events (stream_type, stream_id, stream_version, event_id, envelope)
      SELECT 'connector-profile', gen_random_uuid()::text, 2, gen_random_uuid(), '{}' FROM generate_series(1, $1::int) AS n`);
    await grow(`INSERT INTO read_model.connector_profiles
        (id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version, position)
      SELECT gen_random_uuid(), 'grown-' || (n % 5000), 'p' || n, 'postgres', 'active', '{}', '{}', '{}', now(), now(), 1, n
        FROM generate_series(1, $1::int) AS n`);
    await grow(`INSERT INTO read_model.service_proposals (id, client_id, title, currency, status, line_items, total_minor,
        valid_until, drafted_at, updated_at, version, position)
      SELECT gen_random_uuid(), 'grown-' || (n % 5000), 't', 'EUR', 'draft', '[]', 0, now(), now(), now(), 1, n
        FROM generate_series(1, $1::int) AS n`);
    await grow(`INSERT INTO read_model.client_configs (id, client_id, display_name, timezone, currency, status, settings,
        feature_flags, updated_at, version, position)
      SELECT gen_random_uuid(), 'grown-' || n, 'c', 'UTC', 'EUR', 'active', '{}', '{}', now(), 1, n
        FROM generate_series(1, $1::int) AS n`);
  }

  /** The plans of prepared statements (EXPLAIN EXECUTE: the plan the statement's cache holds). */
  async function plans(runner: QueryRunner, statements: { name: string; parameters: unknown[] }[]) {
    const explained: string[][] = [];
    for (const { name, parameters } of statements) {
      // EXECUTE takes its arguments as literals, written as pg would send them.
      const literals = parameters.map((value) => {
        const text = prepareValue(value);
        return text === null ? 'NULL' : escapeLiteral(text);
      });
      const rows = (await runner.query(
        `EXPLAIN EXECUTE ${name}${literals.length > 0 ? `(${literals.join(', ')})` : ''}`,
      )) as { 'QUERY PLAN': string }[];
      explained.push(rows.map((row) => row['QUERY PLAN']));
    }
    return explained;
  }

  it('keep every read of a batch on an index after the tables grew from empty', async () => {
    const recorder = recording(PreparedStatements.of(db));
    const engine = new ProjectionEngine(recorder.db, new EventDecoder({ maxBytes: 1 << 20 }), new ReadModelStore(), {
      projection: 'plans',
      maxAttempts: 3,
      retryDelayMs: 1,
      rawExcerptBytes: 256,
    });
    expect(new Set(await engine.handleBatch(batch()))).toEqual(new Set(['applied']));
    // Statistics of the nearly empty tables, as autovacuum takes them after the first rows.
    await db.query('ANALYZE');
    const [settings, ...rest] = recorder.statements;
    expect(settings.sql).toContain('plan_cache_mode');
    const reads = rest
      .filter(({ sql }) => /\bSELECT\b/i.test(sql))
      .map(({ sql, parameters }, i) => ({ name: `s${i}`, sql, parameters }));

    const runner = db.createQueryRunner();
    const scans: string[] = [];
    try {
      await runner.startTransaction();
      // The engine's settings, then its statements prepared and planned on the nearly empty
      // tables (its first batch on a new read database)...
      await runner.query(settings.sql, settings.parameters);
      for (const { name, sql } of reads) await runner.query(`PREPARE ${name} AS ${sql}`);
      await plans(runner, reads);
      // ... and the plans those statements keep once the tables are large.
      await growReadModel(runner, 20_000);
      const after = await plans(runner, reads);
      after.forEach((lines, i) => {
        for (const line of lines) {
          if (/Seq Scan on/.test(line))
            scans.push(`${line.trim()} in: ${reads[i].sql.replace(/\s+/g, ' ').slice(0, 100)}`);
        }
      });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(scans).toEqual([]);
  });
});
