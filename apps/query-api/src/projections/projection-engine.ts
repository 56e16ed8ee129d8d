import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queryable } from '@analytics/persistence';
import { DataSource } from 'typeorm';
import { foldClientConfig } from '../clients/client-overview.fold';
import { foldConnectorProfile } from '../connector-profiles/connector-profile.fold';
import { foldServiceProposal } from '../service-proposals/service-proposal.fold';
import { DecodeResult, EventDecoder, EventIdentity } from './event-decoder';
import { ProjectedEvent, ProjectionError } from './projected-event';
import { ProjectionChanges } from '../shared/query-cache';
import { ReadModelStore } from './read-model.store';
import { holdSwitchLockShared } from './rebuild/switch-lock';

/** One Kafka message as the engine takes it. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  /** The stream type whose topic this is. */
  streamType: string;
  value: Buffer | null;
}

/**
 * What became of a message: applied (with any waiting successors), a duplicate event id, an old
 * stream version, parked until its predecessor arrives, dead-lettered, or below the checkpoint.
 */
export type Outcome = 'applied' | 'duplicate' | 'stale' | 'pending' | 'dead-lettered' | 'checkpointed';

export interface EngineOptions {
  /** Checkpoint key (several projection sets could share a database). */
  projection: string;
  /** Attempts for an event whose handler fails before it is dead-lettered. */
  maxAttempts: number;
  /** Pause between attempts. */
  retryDelayMs: number;
  /** Bytes of a poison value kept in the dead letter. */
  rawExcerptBytes: number;
  /**
   * True for the live engine: each write transaction first takes the rebuild's switch lock in
   * shared mode, so that a rebuild can pause it (exclusive mode) while it swaps the schemas.
   */
  pausableBySwitch?: boolean;
}

export interface EngineObserver {
  outcome(streamType: string, outcome: Outcome | 'drained'): void;
  applied(event: ProjectedEvent): void;
}

interface ApplyContext {
  /** On a handler error: dead-letter the event (last attempt) or throw (roll back and retry). */
  deadLetterOnError: boolean;
  source?: { topic: string; partition: number; offset: string };
  /** Clients whose overview must be recomputed before the transaction commits. */
  touched: Set<string>;
  /** Cache keys and positions to act on once the transaction has committed. */
  changes: ProjectionChanges;
}

/** Called after each projection transaction COMMITS with what it changed (cache invalidation, waiters). */
export type CommittedListener = (changes: ProjectionChanges) => Promise<void>;

/** Postgres errors that say the database, not the event, is the problem: never dead-letter on them. */
function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return /^(08|53|57|58|40|XX)/.test(code) || /^E[A-Z]+$/.test(code);
  return /connection|terminated|timeout/i.test((error as Error)?.message ?? '');
}

export class DeadLetterNotFoundError extends Error {}
export class DeadLetterNotRetriableError extends Error {}

/**
 * Applies events to the read model, exactly once and in stream order, whatever Kafka delivers.
 *
 * Each message is handled in ONE transaction that (a) dedupes by event id (the applied_events
 * ledger), (b) enforces per-stream order (version n only on top of n - 1; an early event waits in
 * pending_events and is applied by the transaction that applies its predecessor; an older version
 * is a no-op), (c) has upcast and validated the event, (d) updates the read models, and (e) moves
 * the partition's checkpoint. A message that cannot be applied is dead-lettered in that same
 * transaction; its stream's later events then wait (the version gap holds them) until it is retried
 * or skipped.
 */
export class ProjectionEngine {
  constructor(
    private readonly db: DataSource,
    private readonly decoder: EventDecoder,
    private readonly store: ReadModelStore,
    private readonly options: EngineOptions,
    private readonly observer: EngineObserver = { outcome: () => undefined, applied: () => undefined },
    private readonly committed: CommittedListener = async () => undefined,
  ) {}

  /** Runs a projection transaction, then (only once it has committed) hands its changes to the listener. */
  private async transaction<T>(work: (tx: Queryable, changes: ProjectionChanges) => Promise<T>): Promise<T> {
    const changes = new ProjectionChanges();
    const result = await this.db.transaction('READ COMMITTED', (tx) => work(tx, changes));
    if (!changes.empty) await this.committed(changes);
    return result;
  }

  /** The next offset to apply in a partition, from the database (0 when nothing was applied yet). */
  async checkpointOf(topic: string, partition: number): Promise<string> {
    const [row] = await this.db.query(
      `SELECT next_offset::text AS next_offset FROM read_model.projection_checkpoints
        WHERE projection = $1 AND topic = $2 AND partition = $3`,
      [this.options.projection, topic, partition],
    );
    return row?.next_offset ?? '0';
  }

  /** Handles one message (a batch of one). */
  async handle(message: IncomingMessage): Promise<Outcome> {
    return (await this.handleBatch([message]))[0];
  }

  /**
   * Handles consecutive messages of ONE partition in one transaction (each message's effects,
   * its ledger entry and the checkpoint past it commit together). On an error the transaction is
   * retried; on the last attempt an event whose projection fails is dead-lettered instead.
   */
  async handleBatch(messages: IncomingMessage[]): Promise<Outcome[]> {
    if (messages.length === 0) return [];
    const { topic, partition } = messages[0];
    if (messages.some((message) => message.topic !== topic || message.partition !== partition)) {
      throw new Error('handleBatch takes the messages of one partition');
    }
    const decoded = messages.map((message) => this.decoder.decode(message.value, message.streamType));
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.options.maxAttempts;
      try {
        const outcomes = await this.transaction((tx, changes) =>
          this.handleInTransaction(tx, messages, decoded, last, changes),
        );
        messages.forEach((message, i) => this.observer.outcome(message.streamType, outcomes[i]));
        return outcomes;
      } catch (error) {
        if (last) throw error;
        await sleep(this.options.retryDelayMs * attempt);
      }
    }
  }

  private async handleInTransaction(
    tx: Queryable,
    messages: IncomingMessage[],
    decoded: DecodeResult[],
    deadLetterOnError: boolean,
    changes: ProjectionChanges,
  ): Promise<Outcome[]> {
    const { topic, partition } = messages[0];
    await this.pausePoint(tx);
    const [checkpoint] = await tx.query(
      `SELECT next_offset::text AS next_offset FROM read_model.projection_checkpoints
        WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [this.options.projection, topic, partition],
    );
    const from = BigInt(checkpoint?.next_offset ?? '0');
    const touched = new Set<string>();
    const outcomes: Outcome[] = [];
    let next: bigint | undefined;
    for (const [i, message] of messages.entries()) {
      if (BigInt(message.offset) < from) {
        outcomes.push('checkpointed');
        continue;
      }
      const result = decoded[i];
      const source = { topic, partition, offset: message.offset };
      outcomes.push(
        result.ok
          ? await this.accept(tx, result.event, result.parsed, { deadLetterOnError, source, touched, changes })
          : await this.deadLetter(tx, {
              reason: result.reason,
              detail: result.detail,
              identity: result.identity,
              streamType: message.streamType,
              envelope: result.parsed ?? null,
              raw: message.value,
              source,
            }),
      );
      next = BigInt(message.offset) + 1n;
    }
    await this.refreshOverviews(tx, touched, changes);
    if (next !== undefined) {
      await tx.query(
        `INSERT INTO read_model.projection_checkpoints (projection, topic, partition, next_offset, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (projection, topic, partition) DO UPDATE
           SET next_offset = GREATEST(projection_checkpoints.next_offset, EXCLUDED.next_offset), updated_at = now()`,
        [this.options.projection, topic, partition, next.toString()],
      );
    }
    return outcomes;
  }

  /** First statement of every write transaction of the live engine (see `pausableBySwitch`). */
  private async pausePoint(tx: Queryable): Promise<void> {
    if (this.options.pausableBySwitch) await holdSwitchLockShared(tx);
  }

  /**
   * Recomputes the overviews of the clients the transaction touched, once each, in client id
   * order under a per-client lock: transactions of other partitions touching the same clients
   * serialise here (never deadlock), and each reads the rows the earlier ones committed.
   */
  private async refreshOverviews(tx: Queryable, touched: Set<string>, changes?: ProjectionChanges): Promise<void> {
    for (const clientId of [...touched].sort()) {
      await this.store.lockClient(tx, clientId);
      await this.store.refreshOverview(tx, clientId);
      changes?.overview(clientId);
    }
  }

  /** Dedupe, order, apply (and drain the stream's waiting events). */
  private async accept(
    tx: Queryable,
    event: ProjectedEvent,
    parsed: Record<string, unknown>,
    context: ApplyContext,
  ): Promise<Outcome> {
    const seen = await tx.query(`SELECT 1 FROM read_model.applied_events WHERE event_id = $1`, [event.id]);
    if (seen.length > 0) return 'duplicate';
    const version = await this.lockStream(tx, event.streamType, event.streamId);
    if (event.streamVersion <= version) return 'stale';
    if (event.streamVersion > version + 1) {
      await tx.query(
        `INSERT INTO read_model.pending_events (stream_type, stream_id, stream_version, event_id, envelope)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [event.streamType, event.streamId, event.streamVersion, event.id, JSON.stringify(event)],
      );
      return 'pending';
    }
    if (!(await this.applyOne(tx, event, parsed, context))) return 'dead-lettered';
    await this.drain(tx, event.streamType, event.streamId, event.streamVersion, context);
    return 'applied';
  }

  /**
   * Locks the stream's version row (creating it at 0) and returns the last applied version. A known
   * stream (the usual case) costs one statement; a new one is inserted first.
   */
  private async lockStream(tx: Queryable, streamType: string, streamId: string): Promise<number> {
    const lock = () =>
      tx.query(`SELECT version FROM read_model.stream_versions WHERE stream_type = $1 AND stream_id = $2 FOR UPDATE`, [
        streamType,
        streamId,
      ]);
    let [row] = await lock();
    if (!row) {
      await tx.query(
        `INSERT INTO read_model.stream_versions (stream_type, stream_id, version, position) VALUES ($1, $2, 0, 0)
         ON CONFLICT DO NOTHING`,
        [streamType, streamId],
      );
      [row] = await lock();
    }
    return row.version as number;
  }

  /** Applies the events waiting behind `version`, in order, until a gap (or a dead letter). */
  private async drain(tx: Queryable, streamType: string, streamId: string, version: number, context: ApplyContext) {
    for (let next = version + 1; ; next++) {
      // (A CTE, so that the driver returns the rows themselves for a DELETE ... RETURNING.)
      const removed: { stream_version: number; envelope: ProjectedEvent | null }[] = await tx.query(
        `WITH removed AS (
           DELETE FROM read_model.pending_events WHERE stream_type = $1 AND stream_id = $2 AND stream_version <= $3
           RETURNING stream_version, envelope)
         SELECT stream_version, envelope FROM removed`,
        [streamType, streamId, next],
      );
      const waiting = removed.find((row) => row.stream_version === next);
      if (!waiting) return;
      if (waiting.envelope === null) {
        // A skipped version: the chain passes over it.
        await tx.query(
          `UPDATE read_model.stream_versions SET version = $3, updated_at = now() WHERE stream_type = $1 AND stream_id = $2`,
          [streamType, streamId, next],
        );
        continue;
      }
      const applied = await this.applyOne(tx, waiting.envelope, waiting.envelope as never, {
        deadLetterOnError: context.deadLetterOnError,
        touched: context.touched,
        changes: context.changes,
      });
      this.observer.outcome(streamType, 'drained');
      if (!applied) return;
    }
  }

  /** Applies one event in a savepoint; on a handler error dead-letters it (or rethrows to retry). */
  private async applyOne(
    tx: Queryable,
    event: ProjectedEvent,
    parsed: Record<string, unknown>,
    context: ApplyContext,
  ): Promise<boolean> {
    // Only an attempt that dead-letters a failing event needs to undo that event alone; any other
    // attempt rethrows, and the whole transaction rolls back and is tried again.
    const savepoint = context.deadLetterOnError;
    if (savepoint) await tx.query(`SAVEPOINT apply_event`);
    try {
      await this.project(tx, event, context);
      await tx.query(
        `INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version)
         VALUES ($1, $2, $3, $4, $5)`,
        [event.id, event.position, event.streamType, event.streamId, event.streamVersion],
      );
      await tx.query(
        `UPDATE read_model.stream_versions SET version = $3, position = $4, updated_at = now()
          WHERE stream_type = $1 AND stream_id = $2`,
        [event.streamType, event.streamId, event.streamVersion, event.position],
      );
      if (savepoint) await tx.query(`RELEASE SAVEPOINT apply_event`);
      context.changes.applied(event.position, event.occurredAt);
      this.observer.applied(event);
      return true;
    } catch (error) {
      if (!context.deadLetterOnError || isInfrastructureError(error)) throw error;
      await tx.query(`ROLLBACK TO SAVEPOINT apply_event`);
      await this.deadLetter(tx, {
        reason: 'handler-error',
        detail: (error as Error).message,
        identity: {
          eventId: event.id,
          type: event.type,
          streamType: event.streamType,
          streamId: event.streamId,
          streamVersion: event.streamVersion,
          position: event.position,
        },
        streamType: event.streamType,
        envelope: parsed,
        raw: null,
        source: context.source,
      });
      return false;
    }
  }

  /** The projections proper: fold the event into its row; its client's overview is refreshed at commit. */
  private async project(tx: Queryable, event: ProjectedEvent, { touched, changes }: ApplyContext): Promise<void> {
    switch (event.streamType) {
      case 'client-config': {
        const next = foldClientConfig(await this.store.clientConfig(tx, { streamId: event.streamId }), event);
        await this.store.saveClientConfig(tx, next);
        touched.add(next.clientId);
        changes.changed(event.streamType, event.streamId, next.clientId);
        return;
      }
      case 'connector-profile': {
        const next = foldConnectorProfile(await this.store.connectorProfile(tx, event.streamId), event);
        await this.store.saveConnectorProfile(tx, next);
        touched.add(next.clientId);
        changes.changed(event.streamType, event.streamId, next.clientId);
        return;
      }
      case 'service-proposal': {
        const next = foldServiceProposal(await this.store.serviceProposal(tx, event.streamId), event);
        await this.store.saveServiceProposal(tx, next);
        touched.add(next.clientId);
        changes.changed(event.streamType, event.streamId, next.clientId);
        return;
      }
      default:
        throw new ProjectionError(`No projection for stream type ${event.streamType}`);
    }
  }

  private async deadLetter(
    tx: Queryable,
    letter: {
      reason: string;
      detail: string;
      identity: EventIdentity;
      streamType: string;
      envelope: Record<string, unknown> | null;
      raw: Buffer | null;
      source?: { topic: string; partition: number; offset: string };
    },
  ): Promise<Outcome> {
    const { identity, raw } = letter;
    const rawText = raw === null ? null : raw.subarray(0, this.options.rawExcerptBytes).toString('utf8');
    await tx.query(
      `INSERT INTO read_model.dead_letters
         (event_id, stream_type, stream_id, stream_version, event_type, topic, partition, "offset", reason, detail,
          envelope, raw_excerpt, raw_bytes, raw_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (event_id) DO UPDATE SET attempts = dead_letters.attempts + 1, reason = EXCLUDED.reason,
         detail = EXCLUDED.detail, updated_at = now()
       WHERE dead_letters.status = 'open'`,
      [
        identity.eventId ?? null,
        letter.streamType,
        identity.streamId ?? null,
        identity.streamVersion ?? null,
        identity.type ?? null,
        letter.source?.topic ?? null,
        letter.source?.partition ?? null,
        letter.source?.offset ?? null,
        letter.reason,
        letter.detail.slice(0, 4000),
        letter.envelope === null ? null : JSON.stringify(letter.envelope),
        // Postgres text cannot hold NUL characters.
        rawText === null ? null : rawText.split(String.fromCharCode(0)).join('\uFFFD'),
        raw?.length ?? 0,
        raw === null ? null : createHash('sha256').update(raw).digest('hex'),
      ],
    );
    return 'dead-lettered';
  }

  /**
   * Applies a dead letter's event again (after a fix, or an upcaster added). Applied, or parked
   * behind a missing predecessor: the dead letter is closed as `retried`. Failing again: it stays
   * open with one more attempt.
   */
  async retryDeadLetter(id: string): Promise<{ status: string; outcome: Outcome | 'failed'; detail?: string }> {
    return this.transaction(async (tx, changes) => {
      await this.pausePoint(tx);
      const letter = await this.openDeadLetter(tx, id);
      if (letter.envelope === null) {
        throw new DeadLetterNotRetriableError(`Dead letter ${id} has no parsed event to retry (${letter.reason})`);
      }
      const decoded = this.decoder.decodeEnvelope(letter.envelope, letter.stream_type);
      if (!decoded.ok) {
        await tx.query(
          `UPDATE read_model.dead_letters SET attempts = attempts + 1, reason = $2, detail = $3, updated_at = now()
            WHERE id = $1`,
          [id, decoded.reason, decoded.detail.slice(0, 4000)],
        );
        return { status: 'open', outcome: 'failed', detail: decoded.detail };
      }
      const touched = new Set<string>();
      const outcome = await this.accept(tx, decoded.event, decoded.parsed, {
        deadLetterOnError: true,
        touched,
        changes,
      });
      await this.refreshOverviews(tx, touched, changes);
      if (outcome === 'dead-lettered') {
        const [again] = await tx.query(`SELECT detail FROM read_model.dead_letters WHERE id = $1`, [id]);
        return { status: 'open', outcome: 'failed', detail: again?.detail };
      }
      await tx.query(
        `UPDATE read_model.dead_letters SET status = 'retried', resolved_at = now(), updated_at = now() WHERE id = $1`,
        [id],
      );
      return { status: 'retried', outcome };
    });
  }

  /**
   * Gives up on a dead letter: its stream moves past its version, and the events waiting behind
   * it are applied now (or, when an earlier version is still missing, the chain will pass over it).
   */
  async skipDeadLetter(id: string): Promise<{ status: string; released: number }> {
    return this.transaction(async (tx, changes) => {
      await this.pausePoint(tx);
      const letter = await this.openDeadLetter(tx, id);
      await tx.query(
        `UPDATE read_model.dead_letters SET status = 'skipped', resolved_at = now(), updated_at = now() WHERE id = $1`,
        [id],
      );
      let released = 0;
      if (letter.stream_id !== null && letter.stream_version !== null) {
        const version = await this.lockStream(tx, letter.stream_type, letter.stream_id);
        if (version === letter.stream_version - 1) {
          await tx.query(
            `UPDATE read_model.stream_versions SET version = $3, updated_at = now()
              WHERE stream_type = $1 AND stream_id = $2`,
            [letter.stream_type, letter.stream_id, letter.stream_version],
          );
          const [{ before }] = await tx.query(
            `SELECT count(*)::int AS before FROM read_model.pending_events WHERE stream_type = $1 AND stream_id = $2`,
            [letter.stream_type, letter.stream_id],
          );
          const touched = new Set<string>();
          await this.drain(tx, letter.stream_type, letter.stream_id, letter.stream_version, {
            deadLetterOnError: true,
            touched,
            changes,
          });
          await this.refreshOverviews(tx, touched, changes);
          const [{ after }] = await tx.query(
            `SELECT count(*)::int AS after FROM read_model.pending_events WHERE stream_type = $1 AND stream_id = $2`,
            [letter.stream_type, letter.stream_id],
          );
          released = before - after;
        } else if (version < letter.stream_version - 1) {
          await tx.query(
            `INSERT INTO read_model.pending_events (stream_type, stream_id, stream_version, event_id, envelope)
             VALUES ($1, $2, $3, NULL, NULL)
             ON CONFLICT (stream_type, stream_id, stream_version) DO UPDATE SET envelope = NULL, event_id = NULL`,
            [letter.stream_type, letter.stream_id, letter.stream_version],
          );
        }
      }
      return { status: 'skipped', released };
    });
  }

  private async openDeadLetter(tx: Queryable, id: string) {
    const [letter] = await tx.query(
      `SELECT id::text AS id, stream_type, stream_id, stream_version, envelope, reason, status
         FROM read_model.dead_letters WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!letter) throw new DeadLetterNotFoundError(`There is no dead letter ${id}`);
    if (letter.status !== 'open') {
      throw new DeadLetterNotRetriableError(`Dead letter ${id} is already ${letter.status}`);
    }
    return letter as {
      id: string;
      stream_type: string;
      stream_id: string | null;
      stream_version: number | null;
      envelope: Record<string, unknown> | null;
      reason: string;
    };
  }
}
