import { Queryable, SqlParameters, SqlWrite } from '@analytics/persistence';
import { v7 as timeOrderedUuid } from 'uuid';
import { StreamVersionConflictError, UnknownPositionError } from './event-store.errors';

/** An event to append: its stable type, schema version and facts. */
export interface NewEvent {
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /**
   * Defaults to a new time-ordered UUID (version 7): ids made later sort later, so the unique
   * index on `events.event_id` (and the consumers' ledgers keyed by it) take new keys at their
   * right edge instead of on random leaf pages. A random id dirtied a page not written since the
   * last checkpoint, and Postgres logged that whole 8 KB page with the append: on a store of
   * 330,000 events, WAL per append after a checkpoint was 4.5-8.4 KB with random ids, 1.1-1.5 KB
   * with these.
   */
  eventId?: string;
}

export interface AppendRequest {
  streamType: string;
  streamId: string;
  /** The version the caller decided on: 0 for a new stream, otherwise the last version it read. */
  expectedVersion: number;
  events: NewEvent[];
  /** Kafka topic the outbox relay publishes these events to (keyed by stream id). */
  topic: string;
  /**
   * Writes that commit with the events or not at all, in the same statement (e.g. the write-model
   * row). They may read the CTE `appended (position, stream_version)`: the events just inserted.
   */
  alongside?: SqlWrite[];
}

export interface AppendResult {
  /** The stream's version after the append. */
  version: number;
  /** Global position of the last appended event (a bigint, as a string). */
  position: string;
}

export interface RecordedEvent {
  position: string;
  eventId: string;
  streamType: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurredAt: Date;
}

/** SQLSTATE raised by `expect_stream_version` (migration EventStoreVersionCheck). */
const STREAM_VERSION_MISMATCH = 'ES409';
const UNIQUE_VIOLATION = '23505';

/**
 * Appends events, their outbox entries and the request's `alongside` writes with ONE statement,
 * so that they commit together or not at all, inside the caller's transaction or on their own
 * (a single statement is atomic: no BEGIN/COMMIT round trips are needed).
 *
 * Concurrency is decided by the database, never by a read-then-write race: the statement fails
 * unless the stream is still at `expectedVersion` (`expect_stream_version` raises), and the unique
 * (stream, version) index rejects a writer that raced past that check. Either way the caller gets
 * StreamVersionConflictError and nothing of the statement is written.
 */
export async function appendToStream(db: Queryable, request: AppendRequest): Promise<AppendResult> {
  if (request.events.length === 0) throw new Error('appendToStream needs at least one event');
  const rows = request.events.map((event, i) => ({
    event_id: event.eventId ?? timeOrderedUuid(),
    stream_version: request.expectedVersion + 1 + i,
    event_type: event.type,
    schema_version: event.schemaVersion,
    data: event.data,
    metadata: event.metadata ?? {},
  }));
  const parameters = new SqlParameters([
    request.streamType,
    request.streamId,
    request.expectedVersion,
    JSON.stringify(rows),
    request.topic,
  ]);
  const alongside = (request.alongside ?? []).map((write, i) => `, alongside_${i + 1} AS (${write(parameters.add)})`);
  let appended: { position: string; stream_version: number }[];
  try {
    appended = await db.query(
      `WITH current AS (
         SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_type = $1 AND stream_id = $2
       ), appended AS (
         INSERT INTO events (event_id, stream_type, stream_id, stream_version, event_type, schema_version, data, metadata)
         SELECT e.event_id, $1, $2, e.stream_version, e.event_type, e.schema_version, e.data, e.metadata
           FROM jsonb_to_recordset($4::jsonb) AS e(event_id uuid, stream_version int, event_type text,
                                                   schema_version int, data jsonb, metadata jsonb), current
          WHERE expect_stream_version(current.version, $3)
          ORDER BY e.stream_version
         RETURNING position, stream_version
       ), enqueued AS (
         INSERT INTO outbox (event_position, topic, message_key)
         SELECT position, $5, $2 FROM appended ORDER BY position
       )${alongside.join('')}
       SELECT position::text AS position, stream_version FROM appended ORDER BY appended.position`,
      parameters.values,
    );
  } catch (error) {
    const { code, constraint, detail } = error as { code?: string; constraint?: string; detail?: string };
    // The check reports the version it found; a racing writer's commit shows only as the index.
    if (code === STREAM_VERSION_MISMATCH) {
      throw new StreamVersionConflictError(
        request.streamType,
        request.streamId,
        request.expectedVersion,
        Number(detail),
      );
    }
    if (code === UNIQUE_VIOLATION && constraint === 'uq_events_stream_version') {
      throw new StreamVersionConflictError(request.streamType, request.streamId, request.expectedVersion);
    }
    throw error;
  }
  const last = appended[appended.length - 1];
  return { version: last.stream_version, position: last.position };
}

/** The stream's current version (0 when it has no events). */
export async function currentVersion(db: Queryable, streamType: string, streamId: string): Promise<number> {
  const [row]: { version: number }[] = await db.query(
    `SELECT coalesce(max(stream_version), 0)::int AS version FROM events WHERE stream_type = $1 AND stream_id = $2`,
    [streamType, streamId],
  );
  return row.version;
}

/** All events of one stream, in version order. */
export async function readStream(db: Queryable, streamType: string, streamId: string): Promise<RecordedEvent[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT position::text AS position, event_id, stream_type, stream_id, stream_version, event_type,
            schema_version, data, metadata, occurred_at
       FROM events WHERE stream_type = $1 AND stream_id = $2 ORDER BY stream_version`,
    [streamType, streamId],
  );
  return rows.map(toRecordedEvent);
}

/** What deciding a command needs of each event of its stream (see `readStreamToDecide`). */
export interface DecisionEvent {
  position: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
}

/**
 * The events of one stream, in version order, with only what a decider folds: type, schema
 * version and data, and the position. The command path reads a stream on every command; leaving
 * out the metadata, ids and timestamps spares decoding them (and Postgres sending them).
 */
export async function readStreamToDecide(
  db: Queryable,
  streamType: string,
  streamId: string,
): Promise<DecisionEvent[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT position::text AS position, event_type, schema_version, data
       FROM events WHERE stream_type = $1 AND stream_id = $2 ORDER BY stream_version`,
    [streamType, streamId],
  );
  return rows.map((row) => ({
    position: row.position as string,
    type: row.event_type as string,
    schemaVersion: row.schema_version as number,
    data: row.data as Record<string, unknown>,
  }));
}

/** The oldest transaction id that may still add events (see readEventFeed). */
const FEED_BOUND = `
  SELECT coalesce(min(running.xid::text::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
    FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid)
   WHERE NOT EXISTS (
     SELECT 1 FROM pg_stat_activity other
      WHERE other.backend_xid::text::bigint = running.xid::text::bigint % 4294967296
        AND other.datname IS DISTINCT FROM current_database() AND other.datname IS NOT NULL)`;

/**
 * One page of the whole store's events, in an order that never skips one (the replay feed).
 *
 * Positions are taken when a transaction inserts, not when it commits, so "after position N" can
 * miss an event whose transaction commits late with a lower position. Instead the feed is read in
 * (writing transaction id, position) order, and only below the oldest transaction that was still
 * running when the query's snapshot was taken: every event not yet visible belongs to a transaction
 * at or above that bound, so it sorts after everything already returned. `after` is the position
 * of the last event the reader got (0 to start); it is resumed from that event's place in the order.
 *
 * Transaction ids are cluster-wide, so a running transaction is ignored only when it is known to
 * belong to another database; one that cannot be placed (it ended meanwhile, or is hidden by
 * permissions) holds the bound, which only delays the feed until the next read. The price: a long
 * writing transaction in this database holds the feed back until it ends.
 */
export async function readEventFeed(
  db: Queryable,
  { after, limit }: { after: string; limit: number },
): Promise<RecordedEvent[]> {
  if (after !== '0') {
    const known: unknown[] = await db.query(`SELECT 1 FROM events WHERE position = $1`, [after]);
    if (known.length === 0) throw new UnknownPositionError(after);
  }
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT position::text AS position, event_id, stream_type, stream_id, stream_version, event_type,
            schema_version, data, metadata, occurred_at
       FROM events e
      WHERE e.transaction_id < (${FEED_BOUND})
        AND ($1::bigint = 0 OR (e.transaction_id, e.position) > (SELECT transaction_id, position FROM events WHERE position = $1))
      -- e.position, not the text column of the select list: '1000' sorts before '999'
      ORDER BY e.transaction_id, e.position
      LIMIT $2`,
    [after, limit],
  );
  return rows.map(toRecordedEvent);
}

/** Maps an `events` row (selected with `position::text AS position`) to a RecordedEvent. */
export function toRecordedEvent(row: Record<string, unknown>): RecordedEvent {
  return {
    position: row.position as string,
    eventId: row.event_id as string,
    streamType: row.stream_type as string,
    streamId: row.stream_id as string,
    streamVersion: row.stream_version as number,
    type: row.event_type as string,
    schemaVersion: row.schema_version as number,
    data: row.data as Record<string, unknown>,
    metadata: row.metadata as Record<string, unknown>,
    occurredAt: row.occurred_at as Date,
  };
}
