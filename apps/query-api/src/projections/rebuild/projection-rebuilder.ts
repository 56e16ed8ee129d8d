import { PreparedStatements, Queryable } from '@analytics/persistence';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { QUERY_API_MIGRATIONS } from '../../../../../migrations/query-api';
import { EventDecoder } from '../event-decoder';
import { IncomingMessage, ProjectionEngine } from '../projection-engine';
import { ReadModelStore } from '../read-model.store';
import { EventFeedClient, FeedPage } from './event-feed.client';
import { RebuildProgress } from './rebuild-progress';
import { LIVE_SCHEMA, rescope, SchemaScopedDatabase, scopedTo } from './schema-scoped-database';
import { REBUILD_MUTEX_KEY, SWITCH_LOCK_KEY } from './switch-lock';

/**
 * The projection sets a rebuild knows. The read models are ONE set: one consumer applies them
 * with one ledger, one stream_versions and one set of checkpoints, so they are rebuilt together.
 * `all` means every set (today that same one).
 */
export const PROJECTION_SETS = ['read-models'] as const;
export const REBUILD_NAMES = [...PROJECTION_SETS, 'all'] as const;

/** The schema a rebuild fills; a leftover one (a crashed rebuild) is dropped by the next rebuild. */
export const NEXT_SCHEMA = 'read_model_next';
/** Prefix of the replaced schema kept with keepPrevious (`read_model_prev_<yyyymmddhhmmss>`). */
export const PREVIOUS_SCHEMA_PREFIX = 'read_model_prev_';

/** The tables that are read models proper (what the checksum covers), with their keys. */
export const READ_MODEL_TABLES: Record<string, string> = {
  client_configs: 'id',
  client_overviews: 'client_id',
  connector_profiles: 'id',
  service_proposals: 'id',
};

export class UnknownProjectionSetError extends Error {
  constructor(name: string) {
    super(`Unknown projection set ${JSON.stringify(name)}; known: ${REBUILD_NAMES.join(', ')}`);
  }
}

/** Another rebuild holds the rebuild lock (in this process or another one). */
export class RebuildInProgressError extends Error {}

/** The live schema is not what this build's migrations create (migrate first, or use the matching build). */
export class SchemaMismatchError extends Error {}

export interface RebuildSettings {
  pageSize: number;
  /** Transactions applying a page in parallel (events split by stream). */
  lanes: number;
  maxPauseMs: number;
  keepPrevious: boolean;
  /** Tries of the switch before giving up (each pauses the live projections at most maxPauseMs). */
  switchAttempts?: number;
  /** The engine's settings (as the live one's). */
  maxAttempts: number;
  maxEventBytes: number;
}

export interface RebuildResult {
  set: string;
  events: number;
  seconds: number;
  /** Events applied per second over the replay (feed read + apply, switch excluded). */
  rate: number;
  /** How long the live projections were paused by the successful switch. */
  pauseMs: number;
  switchAttempts: number;
  /** The replaced schema when it was kept. */
  previousSchema?: string;
  /** Checksum of the read-model tables right after the switch. */
  checksum: string;
  /** The query cache was dropped after the switch (undefined: no cache configured). */
  cacheInvalidated?: boolean;
}

export interface RebuildHooks {
  progress?: (progress: RebuildProgress) => void;
  log?: (message: string) => void;
  /** Drops the whole query cache of this read database after the switch; false when Redis failed. */
  invalidateCache?: () => Promise<boolean>;
}

/** A started rebuild: it holds the rebuild lock until `done` settles. */
export interface RunningRebuild {
  set: string;
  done: Promise<RebuildResult>;
  progress(): RebuildProgress;
}

/**
 * Rebuilds the read models without downtime:
 *
 * 1. takes the rebuild lock (a session advisory lock, so a crash frees it) or refuses;
 * 2. drops any leftover `read_model_next`, creates it by running the read side's migrations
 *    against it (same DDL, same index and constraint names) and checks it has the live schema's
 *    structure;
 * 3. replays command-api's event feed (HTTP) into it with the live engine and store, statements
 *    pointed at the new schema, its own ledger, stream_versions and pending events;
 * 4. once the feed is drained, pauses the live engine (exclusive switch lock), reads the feed on
 *    until the new ledger knows every event the live one applied or holds pending, carries over
 *    the Kafka checkpoints and the dead letters, and swaps the schemas in one transaction;
 * 5. drops (or keeps) the replaced schema and invalidates the query cache.
 *
 * Until the swap commits nothing of `read_model` is written; a crash anywhere leaves it untouched.
 */
export class ProjectionRebuilder {
  constructor(
    private readonly db: DataSource,
    private readonly feed: EventFeedClient,
    private readonly settings: RebuildSettings,
    private readonly hooks: RebuildHooks = {},
  ) {}

  /** Validates the name and takes the lock (or throws); the rebuild then runs in the background. */
  async start(name: string): Promise<RunningRebuild> {
    if (!(REBUILD_NAMES as readonly string[]).includes(name)) throw new UnknownProjectionSetError(name);
    const set = name === 'all' ? PROJECTION_SETS.join('+') : name;
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [REBUILD_MUTEX_KEY]);
      if (!locked) throw new RebuildInProgressError(await this.describeHolder(lock));
    } catch (error) {
      await lock.release();
      throw error;
    }
    let current: RebuildProgress = {
      set,
      phase: 'preparing',
      events: 0,
      position: '0',
      startedAt: Date.now(),
      now: Date.now(),
    };
    const report = (changes: Partial<RebuildProgress>) => {
      current = { ...current, ...changes, now: Date.now() };
      this.hooks.progress?.(current);
    };
    const done = this.run(set, report, () => current).finally(async () => {
      await lock.query(`SELECT pg_advisory_unlock($1::bigint)`, [REBUILD_MUTEX_KEY]).catch(() => undefined);
      await lock.release().catch(() => undefined);
    });
    done.catch(() => report({ phase: 'failed' }));
    return { set, done, progress: () => current };
  }

  private async describeHolder(db: Queryable): Promise<string> {
    const [holder] = await db.query(
      `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
        LIMIT 1`,
      [REBUILD_MUTEX_KEY],
    );
    const who = holder
      ? ` (database session ${holder.pid}, ${holder.application_name || 'unnamed'}` +
        `${holder.client_addr ? ` from ${holder.client_addr}` : ''}, since ${new Date(holder.backend_start).toISOString()})`
      : '';
    return `A projection rebuild is already running${who}`;
  }

  private async run(
    set: string,
    report: (changes: Partial<RebuildProgress>) => void,
    current: () => RebuildProgress,
  ): Promise<RebuildResult> {
    const log = this.hooks.log ?? (() => undefined);
    await this.prepareNextSchema(log);
    const next = new SchemaScopedDatabase(PreparedStatements.of(this.db), NEXT_SCHEMA);
    const engine = new ProjectionEngine(
      next,
      new EventDecoder({ maxBytes: this.settings.maxEventBytes }),
      new ReadModelStore(),
      // Its own checkpoint key (a synthetic `feed` topic); the switch replaces the checkpoints.
      { projection: 'rebuild', maxAttempts: this.settings.maxAttempts, retryDelayMs: 200, rawExcerptBytes: 4096 },
    );
    const startedAt = Date.now();
    report({ phase: 'replaying', startedAt });
    const cursor = { after: '0' };
    const replay = new FeedReplay(this.feed, engine, this.settings.pageSize, this.settings.lanes, cursor, (page) =>
      report({
        events: current().events + page.events.length,
        position: page.events.reduce(
          (max, event) => (BigInt(event.position) > BigInt(max) ? event.position : max),
          current().position,
        ),
        head: page.head ?? current().head,
      }),
    );
    replay.log = log;
    await replay.drain();
    const replayedAt = Date.now();

    report({ phase: 'switching' });
    const attempts = this.settings.switchAttempts ?? 20;
    let switched: { pauseMs: number; previous: string } | undefined;
    let attempt = 0;
    while (!switched) {
      attempt++;
      switched = await this.trySwitch(replay, log);
      if (!switched) {
        if (attempt >= attempts) {
          throw new Error(
            `The rebuilt schema did not catch up with the live projections within ${this.settings.maxPauseMs} ms ` +
              `in ${attempts} tries; ${LIVE_SCHEMA} is untouched. Is command-api's feed held back by a long transaction?`,
          );
        }
        const missing = await missingEvents(this.db);
        log(
          `switch attempt ${attempt} of ${attempts} gave up; ` +
            (missing.length > 0
              ? `the new schema is still behind the live one (missing, e.g.: ` +
                `${missing.map((row) => `${row.stream_type}/${row.stream_id} v${row.stream_version} @${row.position}`).join(', ')}); `
              : '') +
            'catching up again',
        );
        await replay.drain();
        await sleep(Math.min(2_000, 100 * attempt));
      }
    }
    const seconds = (replayedAt - startedAt) / 1000;
    report({ phase: 'cleaning-up' });
    let previousSchema: string | undefined = switched.previous;
    // From here on the switch has happened: clean-up failures are reported, never thrown.
    if (!this.settings.keepPrevious) {
      try {
        await this.dropSchema(switched.previous);
        previousSchema = undefined;
      } catch (error) {
        log(`could not drop ${switched.previous} (the next rebuild drops it): ${(error as Error).message}`);
      }
    }
    let cacheInvalidated: boolean | undefined;
    if (this.hooks.invalidateCache) {
      try {
        cacheInvalidated = await this.hooks.invalidateCache();
        if (!cacheInvalidated)
          log('could not invalidate the query cache (Redis did not answer; entries expire on their own)');
      } catch (error) {
        log(`could not invalidate the query cache (entries expire on their own): ${(error as Error).message}`);
      }
    }
    const checksum = await readModelChecksum(this.db, LIVE_SCHEMA).catch(
      (error: Error) => `unknown (${error.message})`,
    );
    report({ phase: 'done' });
    const events = current().events;
    return {
      set,
      events,
      seconds,
      rate: events / Math.max(seconds, 0.001),
      pauseMs: switched.pauseMs,
      switchAttempts: attempt,
      previousSchema,
      checksum,
      cacheInvalidated,
    };
  }

  /** Drops leftovers, creates `read_model_next` from the migrations, checks it matches the live schema. */
  private async prepareNextSchema(log: (message: string) => void): Promise<void> {
    const leftovers: { name: string }[] = await this.db.query(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $2) ORDER BY nspname`,
      [NEXT_SCHEMA, PREVIOUS_SCHEMA_PREFIX],
    );
    for (const { name } of leftovers) {
      log(
        `dropping ${name} (${name === NEXT_SCHEMA ? 'left by an interrupted rebuild' : 'kept by an earlier rebuild'})`,
      );
      await this.dropSchema(name);
    }
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const scoped = scopedTo(runner, NEXT_SCHEMA);
      // The migrations' statements, pointed at the new schema (they only use query()).
      const migrationRunner = new Proxy(runner, {
        get: (target, property, receiver) =>
          property === 'query' ? scoped.query : (Reflect.get(target, property, receiver) as unknown),
      }) as QueryRunner;
      for (const Migration of QUERY_API_MIGRATIONS) {
        await (new Migration() as MigrationInterface).up(migrationRunner);
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
    const live = await schemaStructure(this.db, LIVE_SCHEMA);
    const built = await schemaStructure(this.db, NEXT_SCHEMA);
    if (live !== built) {
      await this.dropSchema(NEXT_SCHEMA);
      throw new SchemaMismatchError(
        `${LIVE_SCHEMA} does not have the structure this build's migrations create; run \`main.js migrate\` ` +
          `(or rebuild with the build that matches the database)`,
      );
    }
  }

  /**
   * One try at the switch, in one transaction on one connection: pause the live engine, finish
   * the replay, check completeness, carry over checkpoints and dead letters, swap. Undefined when
   * the new schema could not be completed within maxPauseMs (rolled back: nothing changed).
   */
  private async trySwitch(
    replay: FeedReplay,
    log: (message: string) => void,
  ): Promise<{ pauseMs: number; previous: string } | undefined> {
    // Cheap pre-check without pausing anything: do not pause the live side while far behind.
    if ((await missingFromNext(this.db)) > 1000) return undefined;
    const tx = this.db.createQueryRunner();
    await tx.connect();
    try {
      await tx.startTransaction('READ COMMITTED');
      await tx.query(`SET LOCAL lock_timeout = ${Math.round(this.settings.maxPauseMs)}`);
      const pausedAt = Date.now();
      try {
        await tx.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [SWITCH_LOCK_KEY]);
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') {
          log('could not pause the live projections in time (a long transaction?)');
          await tx.rollbackTransaction();
          return undefined;
        }
        throw error;
      }
      // The live engine is paused between transactions now. The feed may hold back, for a moment,
      // an event the live side already applied (a relay or command transaction still open): read on.
      const deadline = pausedAt + this.settings.maxPauseMs;
      for (;;) {
        await replay.drain();
        if ((await missingFromNext(tx)) === 0) break;
        if (Date.now() >= deadline) {
          await tx.rollbackTransaction();
          return undefined;
        }
        await sleep(20);
      }
      const previous = `${PREVIOUS_SCHEMA_PREFIX}${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
      await carryOver(tx);
      await tx.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${previous}`);
      await tx.query(`ALTER SCHEMA ${NEXT_SCHEMA} RENAME TO ${LIVE_SCHEMA}`);
      await tx.commitTransaction();
      const pauseMs = Date.now() - pausedAt;
      log(`switched: ${NEXT_SCHEMA} is now ${LIVE_SCHEMA} (live projections paused ${pauseMs} ms)`);
      return { pauseMs, previous };
    } catch (error) {
      if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await tx.release();
    }
  }

  /** Drops a schema, waiting out queries that still read its tables (they started before the swap). */
  private async dropSchema(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = 2000`);
          await tx.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
        });
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55P03' || attempt >= 10) throw error;
      }
    }
  }
}

/**
 * Reads the feed page by page into the new schema (the next page is fetched while one is applied).
 * A page is applied in `lanes` parallel transactions, the events split by stream id (a stream
 * always in the same lane, in feed order), as the live consumer applies Kafka partitions in
 * parallel: the engine's per-client locks keep the overviews right whatever the interleaving.
 */
export class FeedReplay {
  private readonly offsets: bigint[];
  /**
   * Events the feed returned more than once: the new ledger only ever sees the feed, so a
   * 'duplicate' outcome means the feed repeated an event (dropped by the ledger, but reported:
   * a feed that repeats may also skip, which the switch's completeness check then catches).
   */
  repeated = 0;
  log: (message: string) => void = () => undefined;

  constructor(
    private readonly feed: EventFeedClient,
    private readonly engine: ProjectionEngine,
    private readonly pageSize: number,
    private readonly lanes: number,
    private readonly cursor: { after: string },
    private readonly onPage: (page: FeedPage) => void,
  ) {
    this.offsets = Array.from({ length: lanes }, () => 0n);
  }

  /**
   * Until the feed is drained: a page shorter than the page size means the reader reached what
   * is committed (under a steady write load the feed never comes back empty).
   */
  async drain(): Promise<void> {
    let page = await this.feed.page(this.cursor.after, this.pageSize);
    for (;;) {
      const last = page.events.length < this.pageSize;
      const following = last ? undefined : this.feed.page(page.next, this.pageSize);
      following?.catch(() => undefined);
      await this.apply(page, this.cursor.after);
      this.cursor.after = page.next;
      this.onPage(page);
      if (!following) return;
      page = await following;
    }
  }

  private async apply(page: FeedPage, after: string): Promise<void> {
    const byLane: IncomingMessage[][] = Array.from({ length: this.lanes }, () => []);
    for (const event of page.events) {
      const lane = laneOf(String(event.streamId), this.lanes);
      byLane[lane].push({
        topic: 'feed',
        partition: lane,
        offset: String(this.offsets[lane]++),
        streamType: event.streamType,
        value: Buffer.from(JSON.stringify(event)),
      });
    }
    const outcomes = await Promise.all(
      byLane.filter((messages) => messages.length > 0).map((messages) => this.engine.handleBatch(messages)),
    );
    const repeated = outcomes.flat().filter((outcome) => outcome === 'duplicate').length;
    if (repeated > 0) {
      this.repeated += repeated;
      this.log(
        `the event feed returned ${repeated} event(s) of the page after ${after} a second time (dropped by the ` +
          `ledger; ${this.repeated} so far): command-api's feed ordering is broken`,
      );
    }
  }
}

/** The lane (0 .. lanes - 1) of a stream: a stream is always applied in the same lane. */
export function laneOf(streamId: string, lanes: number): number {
  let hash = 0;
  for (let i = 0; i < streamId.length; i++) hash = (hash * 31 + streamId.charCodeAt(i)) | 0;
  return Math.abs(hash) % lanes;
}

/**
 * Events the live projections know (applied, or waiting for a predecessor) that the new schema
 * does not (applied, waiting, or dead-lettered). Zero means the new schema is at least as far.
 * (The ledgers are keyed by position; waiting events and dead letters by event id.)
 */
async function missingFromNext(db: Queryable): Promise<number> {
  const [{ missing }] = await db.query(
    `SELECT count(*)::int AS missing FROM (
       SELECT event_id, position FROM ${LIVE_SCHEMA}.applied_events
       UNION ALL SELECT event_id, (envelope->>'position')::bigint FROM ${LIVE_SCHEMA}.pending_events
        WHERE event_id IS NOT NULL) live
      WHERE NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.applied_events n WHERE n.position = live.position)
        AND NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.pending_events n WHERE n.event_id = live.event_id)
        AND NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.dead_letters n WHERE n.event_id = live.event_id)`,
  );
  return missing;
}

/** A few of the events missingFromNext counts (for the log). */
async function missingEvents(db: Queryable) {
  return (await db.query(
    `SELECT l.event_id, l.stream_type, l.stream_id, l.stream_version, l.position::text AS position
       FROM ${LIVE_SCHEMA}.applied_events l
      WHERE NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.applied_events n WHERE n.position = l.position)
        AND NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.pending_events n WHERE n.event_id = l.event_id)
        AND NOT EXISTS (SELECT 1 FROM ${NEXT_SCHEMA}.dead_letters n WHERE n.event_id = l.event_id)
      ORDER BY l.position LIMIT 3`,
  )) as { stream_type: string; stream_id: string; stream_version: number; position: string }[];
}

/**
 * What the new schema takes over from the live one, in the switch transaction:
 * - the Kafka checkpoints (every projection key): the live consumer goes on from where it was, and
 *   the events it then meets that the replay already applied are duplicates by the new ledger;
 * - the dead letters (operator history and poison that never reached the store), ids kept; for an
 *   event the replay dead-lettered too, the replay's verdict replaces the live one; a live open
 *   dead letter whose event the replay applied is closed as retried.
 */
async function carryOver(tx: Queryable): Promise<void> {
  const next = NEXT_SCHEMA;
  const live = LIVE_SCHEMA;
  await tx.query(`DELETE FROM ${next}.projection_checkpoints`);
  await tx.query(`INSERT INTO ${next}.projection_checkpoints SELECT * FROM ${live}.projection_checkpoints`);
  const columns = `event_id, stream_type, stream_id, stream_version, event_type, topic, partition, "offset", reason,
     detail, envelope, raw_excerpt, raw_bytes, raw_sha256, attempts, status, created_at, updated_at, resolved_at`;
  await tx.query(`CREATE TEMPORARY TABLE rebuild_dead_letters ON COMMIT DROP AS SELECT * FROM ${next}.dead_letters`);
  await tx.query(`DELETE FROM ${next}.dead_letters`);
  await tx.query(
    `INSERT INTO ${next}.dead_letters (id, ${columns}) OVERRIDING SYSTEM VALUE
     SELECT id, ${columns} FROM ${live}.dead_letters l
      WHERE l.event_id IS NULL OR NOT EXISTS (SELECT 1 FROM rebuild_dead_letters r WHERE r.event_id = l.event_id)`,
  );
  await tx.query(
    `SELECT setval(pg_get_serial_sequence('${next}.dead_letters', 'id'),
                   coalesce((SELECT max(id) FROM ${next}.dead_letters), 0) + 1, false)`,
  );
  await tx.query(
    `INSERT INTO ${next}.dead_letters (${columns}) SELECT ${columns} FROM rebuild_dead_letters ORDER BY id`,
  );
  // The ledger is keyed by position: a dead letter's event is looked up by the position its
  // envelope gives, then its id compared. Only when that is no number (poison may say anything)
  // is the ledger searched by event id, which has no index.
  await tx.query(
    `UPDATE ${next}.dead_letters d SET status = 'retried', resolved_at = now(), updated_at = now()
      WHERE d.status = 'open' AND d.event_id IS NOT NULL
        AND CASE WHEN d.envelope->>'position' ~ '^[0-9]{1,18}$'
                 THEN EXISTS (SELECT 1 FROM ${next}.applied_events a
                               WHERE a.position = (d.envelope->>'position')::bigint AND a.event_id = d.event_id)
                 ELSE EXISTS (SELECT 1 FROM ${next}.applied_events a WHERE a.event_id = d.event_id) END`,
  );
}

/** Tables, columns and indexes (names and definitions) of a schema, with the schema name taken out. */
export async function schemaStructure(db: Queryable, schema: string): Promise<string> {
  const columns = await db.query(
    `SELECT table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default,
            character_maximum_length, numeric_precision, numeric_scale, is_identity, identity_generation
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const indexes = await db.query(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexname`,
    [schema],
  );
  const constraints = await db.query(
    `SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = $1 ORDER BY c.conname`,
    [schema],
  );
  const unscoped = (value: unknown) =>
    JSON.stringify(value).split(`"${schema}"`).join('"<schema>"').split(`${schema}.`).join('<schema>.');
  return unscoped({ columns, indexes, constraints });
}

/**
 * A checksum of the read-model tables of `schema` (every row, in key order, as Postgres prints it):
 * equal checksums, equal read models.
 */
export async function readModelChecksum(db: Queryable, schema: string): Promise<string> {
  const parts = Object.entries(READ_MODEL_TABLES).map(
    ([table, key]) =>
      `(SELECT '${table}:' || count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.${key}), ''))
          FROM ${rescope(`read_model.${table}`, schema)} t)`,
  );
  const [{ checksum }] = await db.query(`SELECT md5(concat_ws('|', ${parts.join(', ')})) AS checksum`);
  return checksum;
}
