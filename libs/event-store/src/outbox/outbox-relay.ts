import { PreparedStatements } from '@analytics/persistence';
import { CompressionTypes, Producer } from 'kafkajs';
import { DataSource, QueryRunner } from 'typeorm';
import { toRecordedEvent } from '../event-store';
import { cloudEventHeaders, toEnvelope } from './envelope';

/** Two int4 keys of the advisory lock that makes one relay active per database. */
const RELAY_LOCK = [0x616e616c, 0x6f757462] as const;

export interface OutboxRelayOptions {
  /** `ce_source` of every published event. */
  source: string;
  /** Rows published per round. Default 500. */
  batchSize?: number;
  /** Told about every row parked (to log it loudly). */
  onParked?: (row: { outboxId: string; topic: string; streamId: string; reason: string }) => void;
}

/**
 * Publishes committed outbox rows to Kafka, oldest first, then marks them published.
 *
 * At least once: a crash between Kafka's acknowledgement and the update republishes the batch
 * (consumers dedupe by event id). It never skips: it selects by "not yet published", not by a
 * position cursor, so an event whose transaction commits after events with higher positions is
 * still picked up in a later round. Per-stream order holds because one stream's versions commit
 * in order (see appendToStream) and a batch is sent in outbox order, keyed by stream id.
 *
 * Only the holder of a Postgres advisory lock publishes; the lock lives on a dedicated session,
 * so it is released the moment a relay process dies, and a standby takes over.
 *
 * Between rounds the leader waits (`waitForPending`) until `wake` is called, which the app does
 * when one of its own commands commits outbox rows, or until its poll interval ends: rows are
 * always found by polling, so a commit elsewhere (another instance, a tool) or a missed wake-up
 * delays an event by at most one poll interval and never loses it.
 */
export class OutboxRelay {
  private session?: QueryRunner;
  /** `wake` was called since the last wait ended. */
  private woken = false;
  private endWait?: () => void;
  /** The rounds' two queries, prepared once per connection (see `statements`). */
  private prepared?: PreparedStatements;

  constructor(
    private readonly db: DataSource,
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly options: OutboxRelayOptions,
  ) {}

  /** Tries to become the active relay; true when this instance holds the lock. */
  async tryAcquireLeadership(): Promise<boolean> {
    if (!this.session) {
      const session = this.db.createQueryRunner();
      try {
        await session.connect();
      } catch (error) {
        // A query runner keeps its failed connection attempt (TypeORM caches the promise): never
        // reuse it, or every later round fails with the same error although the database is back.
        await session.release().catch(() => undefined);
        throw error;
      }
      this.session = session;
    }
    try {
      const [{ locked }] = await this.session.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...RELAY_LOCK]);
      return locked as boolean;
    } catch (error) {
      // The session broke (database restarted, backend terminated): start the next try afresh.
      await this.release();
      throw error;
    }
  }

  /**
   * Whether this instance still holds the lock. False (and the session is dropped) when the
   * session broke: Postgres released the lock with it, and another relay may lead by now.
   */
  async stillLeader(): Promise<boolean> {
    if (!this.session) return false;
    try {
      const [{ held }] = await this.session.query(
        `SELECT count(*) > 0 AS held FROM pg_locks
          WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1 AND objid = $2 AND granted`,
        [...RELAY_LOCK],
      );
      return held as boolean;
    } catch {
      await this.release();
      return false;
    }
  }

  /** Gives up leadership (and its database session). */
  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
    await session.release().catch(() => undefined);
  }

  /**
   * Resolves when rows may be pending: at the next `wake`, at once if one came since the previous
   * wait ended (rows committed while a round ran), or after `maxWaitMs` (the poll). Wake-ups
   * arriving meanwhile are folded into one.
   */
  async waitForPending(maxWaitMs: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => this.endWait?.(), maxWaitMs);
        this.endWait = () => {
          clearTimeout(timer);
          this.endWait = undefined;
          resolve();
        };
      });
    }
    this.woken = false;
  }

  /** Ends the current `waitForPending` at once, or the next one if none is under way. */
  wake(): void {
    this.woken = true;
    this.endWait?.();
  }

  /**
   * One round: publishes up to `batchSize` pending rows and marks them published.
   * Returns how many were published (0: nothing pending). Call only while leader.
   *
   * A row Kafka refuses as too large for its topic can never be published as it is: it is parked
   * with the reason (see `parkedEvents`), and the later rows of its stream wait behind it, because
   * publishing them would break the stream's order for consumers. Other streams keep flowing.
   */
  async publishPending(): Promise<number> {
    const rows = await this.pendingRows();
    if (rows.length === 0) return 0;
    try {
      await this.send(rows);
    } catch (error) {
      if (!isMessageTooLarge(error)) throw error;
      // Kafka does not say which message it refused: find it by sending one at a time.
      return this.publishOneByOne(rows);
    }
    await this.markPublished(rows);
    return rows.length;
  }

  /** Parked rows (oldest first), for operators. */
  async parkedEvents(): Promise<ParkedEvent[]> {
    return this.db.query(
      `SELECT o.id::text AS "outboxId", e.position::text AS position, o.topic, o.message_key AS "streamId",
              e.event_type AS type, o.parked_at AS "parkedAt", o.parked_reason AS reason
         FROM outbox o JOIN events e ON e.position = o.event_position
        WHERE o.parked_at IS NOT NULL AND o.published_at IS NULL
        ORDER BY o.id`,
    );
  }

  /** Puts a parked row back in line (after the topic's limit was raised, say). False if not parked. */
  async unpark(outboxId: string): Promise<boolean> {
    const updated: [unknown[], number] = await this.db.query(
      `UPDATE outbox SET parked_at = NULL WHERE id = $1 AND parked_at IS NOT NULL AND published_at IS NULL`,
      [outboxId],
    );
    return updated[1] > 0;
  }

  /**
   * Every round runs the same two queries: as prepared statements on the data source's pool they
   * are planned once per connection, and skip TypeORM's per-query work (a query runner per call).
   * Made on first use: the data source's pool exists once it is initialized.
   */
  private get statements(): PreparedStatements {
    this.prepared ??= PreparedStatements.of(this.db);
    return this.prepared;
  }

  private async pendingRows(): Promise<PendingRow[]> {
    const rows: Record<string, unknown>[] = await this.statements.query(
      // The parked keys are gathered once per round (MATERIALIZED; there are none, or a few): as a
      // correlated NOT EXISTS, Postgres could probe for them once per candidate row through the
      // index of all unpublished rows, 5 s a round on a 66,000-row backlog (seen in the bench).
      `WITH parked AS MATERIALIZED (
         SELECT topic, message_key, min(id) AS first_id FROM outbox
          WHERE parked_at IS NOT NULL AND published_at IS NULL
          GROUP BY topic, message_key)
       SELECT o.id::text AS outbox_id, o.topic, o.message_key, e.position::text AS position, e.event_id,
              e.stream_type, e.stream_id, e.stream_version, e.event_type, e.schema_version, e.data, e.metadata,
              e.occurred_at
         FROM outbox o JOIN events e ON e.position = o.event_position
        WHERE o.published_at IS NULL AND o.parked_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM parked
                           WHERE parked.topic = o.topic AND parked.message_key = o.message_key AND parked.first_id < o.id)
        ORDER BY o.id
        LIMIT $1`,
      [this.options.batchSize ?? 500],
    );
    return rows.map((row) => {
      const event = toRecordedEvent(row);
      const envelope = toEnvelope(event);
      return {
        outboxId: row.outbox_id as string,
        topic: row.topic as string,
        message: {
          key: row.message_key as string,
          value: JSON.stringify(envelope),
          headers: cloudEventHeaders(envelope, this.options.source),
        },
      };
    });
  }

  private async send(rows: PendingRow[]) {
    const byTopic = new Map<string, PendingRow['message'][]>();
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row.message]);
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private async publishOneByOne(rows: PendingRow[]): Promise<number> {
    const blockedStreams = new Set<string>();
    let published = 0;
    for (const row of rows) {
      const stream = `${row.topic}/${row.message.key}`;
      if (blockedStreams.has(stream)) continue;
      try {
        await this.send([row]);
      } catch (error) {
        if (!isMessageTooLarge(error)) throw error;
        const reason = `Kafka refused the message as too large for topic ${row.topic} (value ${Buffer.byteLength(row.message.value)} bytes)`;
        await this.db.query(`UPDATE outbox SET parked_at = now(), parked_reason = $2, last_error = $3 WHERE id = $1`, [
          row.outboxId,
          reason,
          (error as Error).message,
        ]);
        this.options.onParked?.({ outboxId: row.outboxId, topic: row.topic, streamId: row.message.key, reason });
        blockedStreams.add(stream);
        continue;
      }
      await this.markPublished([row]);
      published++;
    }
    return published;
  }

  private async markPublished(rows: PendingRow[]) {
    await this.statements.query(
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
      [rows.map((row) => row.outboxId)],
    );
  }
}

interface PendingRow {
  outboxId: string;
  topic: string;
  message: { key: string; value: string; headers: Record<string, string> };
}

/** An event the relay could not publish, waiting for an operator. */
export interface ParkedEvent {
  outboxId: string;
  position: string;
  topic: string;
  streamId: string;
  type: string;
  parkedAt: Date;
  reason: string;
}

/** Kafka's MESSAGE_TOO_LARGE (error code 10), however kafkajs wraps it. */
function isMessageTooLarge(error: unknown): boolean {
  for (let cause = error as { type?: string; originalError?: unknown } | undefined; cause;) {
    if (cause.type === 'MESSAGE_TOO_LARGE') return true;
    cause = cause.originalError as typeof cause;
  }
  return false;
}
