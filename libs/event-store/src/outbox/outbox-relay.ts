import { CompressionTypes, Producer } from 'kafkajs';
import { DataSource, QueryRunner } from 'typeorm';
import { RecordedEvent, toRecordedEvent } from '../event-store';
import { cloudEventHeaders, toEnvelope } from './envelope';

/** Two int4 keys of the advisory lock that makes one relay active per database. */
const RELAY_LOCK = [0x616e616c, 0x6f757462] as const;

export interface OutboxRelayOptions {
  /** `ce_source` of every published event. */
  source: string;
  /** Rows published per round. Default 500. */
  batchSize?: number;
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
 */
export class OutboxRelay {
  private session?: QueryRunner;

  constructor(
    private readonly db: DataSource,
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly options: OutboxRelayOptions,
  ) {}

  /** Tries to become the active relay; true when this instance holds the lock. */
  async tryAcquireLeadership(): Promise<boolean> {
    if (!this.session) {
      this.session = this.db.createQueryRunner();
      await this.session.connect();
    }
    const [{ locked }] = await this.session.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [...RELAY_LOCK]);
    return locked as boolean;
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
   * One round: publishes up to `batchSize` pending rows and marks them published.
   * Returns how many were published (0: nothing pending). Call only while leader.
   */
  async publishPending(): Promise<number> {
    const rows: (RecordedEvent & { outboxId: string; topic: string; messageKey: string })[] = (
      await this.db.query(
        `SELECT o.id::text AS outbox_id, o.topic, o.message_key, e.position::text AS position, e.event_id,
                e.stream_type, e.stream_id, e.stream_version, e.event_type, e.schema_version, e.data, e.metadata,
                e.occurred_at
           FROM outbox o JOIN events e ON e.position = o.event_position
          WHERE o.published_at IS NULL
          ORDER BY o.id
          LIMIT $1`,
        [this.options.batchSize ?? 500],
      )
    ).map((row: Record<string, unknown>) => ({
      ...toRecordedEvent(row),
      outboxId: row.outbox_id as string,
      topic: row.topic as string,
      messageKey: row.message_key as string,
    }));
    if (rows.length === 0) return 0;

    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const envelope = toEnvelope(row);
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({
        key: row.messageKey,
        value: JSON.stringify(envelope),
        headers: cloudEventHeaders(envelope, this.options.source),
      });
      byTopic.set(row.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    await this.db.query(
      `UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
      [rows.map((row) => row.outboxId)],
    );
    return rows.length;
  }
}
