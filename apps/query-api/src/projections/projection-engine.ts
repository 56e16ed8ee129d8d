import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queryable, TransactionalDatabase } from '@analytics/persistence';
import { BatchPlan, planBatch, StreamBefore, streamKey } from './batch-plan';
import { DecodeResult, EventDecoder, EventIdentity } from './event-decoder';
import { ProjectedEvent } from './projected-event';
import { ProjectionChanges } from '../shared/query-cache';
import { ReadModelStore } from './read-model.store';
import { holdSwitchLockShared } from './rebuild/switch-lock';
import { projectionOf, StreamProjection, streamProjections, StreamRow } from './stream-projections';

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

/** What the one-event-at-a-time path carries from event to event of a transaction. */
interface ApplyContext {
  source?: { topic: string; partition: number; offset: string };
  /** Clients whose overview must be recomputed before the transaction commits. */
  touched: Set<string>;
  /** Cache keys and positions to act on once the transaction has committed. */
  changes: ProjectionChanges;
}

/** An event (or a message that is none) the engine gives up on, as the dead letter records it. */
interface DeadLetter {
  reason: string;
  detail: string;
  identity: EventIdentity;
  streamType: string;
  envelope: Record<string, unknown> | null;
  raw: Buffer | null;
  source?: { topic: string; partition: number; offset: string };
}

/** Where a partition's checkpoint moves once a batch is applied: the offset after its last message. */
interface CheckpointMove {
  topic: string;
  partition: number;
  next: string;
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** The one-event-at-a-time path writes its events as it goes: its bookkeeping is the checkpoint alone. */
const NOTHING_PLANNED = { applied: [], streams: [], park: [] };

/**
 * Statements whose answers nothing waits for: they go out with the COMMIT, in the same round trip,
 * and if one fails the COMMIT fails with its error (TransactionalDatabase.transaction).
 */
function leftForCommit(...statements: Promise<unknown>[]): void {
  for (const statement of statements) statement.catch(() => undefined);
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
 * Each batch of messages is handled in ONE transaction that (a) dedupes by position (the
 * applied_events ledger; a redelivered event keeps its position), (b) enforces per-stream order
 * (version n only on top of n - 1; an early event waits in pending_events and is applied by the
 * transaction that applies its predecessor; an older version is a no-op), (c) has upcast and
 * validated the event, (d) updates the read models, and (e) moves the partition's checkpoint. A
 * message that cannot be applied is dead-lettered in that same transaction; its stream's later
 * events then wait (the version gap holds them) until it is retried or skipped.
 *
 * A batch is first applied set-based: a few statements for the whole batch, each stream's events
 * folded in memory (batch-plan.ts). When that fails, the transaction rolls back and is tried again;
 * the last attempt goes one event at a time, each in a savepoint, so that an event whose projection
 * fails is dead-lettered alone and the others are applied.
 */
export class ProjectionEngine {
  private readonly projections: Map<string, StreamProjection>;

  constructor(
    private readonly db: TransactionalDatabase,
    private readonly decoder: EventDecoder,
    private readonly store: ReadModelStore,
    private readonly options: EngineOptions,
    private readonly observer: EngineObserver = { outcome: () => undefined, applied: () => undefined },
    private readonly committed: CommittedListener = async () => undefined,
  ) {
    this.projections = streamProjections(store);
  }

  /** Runs a projection transaction, then (only once it has committed) hands its changes to the listener. */
  private async transaction<T>(work: (tx: Queryable, changes: ProjectionChanges) => Promise<T>): Promise<T> {
    const changes = new ProjectionChanges();
    const result = await this.db.transaction((tx) => work(tx, changes));
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
   * Handles messages of one or more partitions in one transaction (each message's effects, its
   * ledger entry and its partition's checkpoint past it commit together); each partition's
   * messages must come in offset order. On an error the transaction is retried; the last attempt
   * applies the events one by one and dead-letters one whose projection fails.
   */
  async handleBatch(messages: IncomingMessage[]): Promise<Outcome[]> {
    if (messages.length === 0) return [];
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

  /**
   * One batch's transaction, in two round trips when the connection pipelines (each step's
   * statements are issued together and run in order; see PreparedStatements): (1) BEGIN, the locks
   * and every read the plan needs under them, (2) the writes, the overviews' locks and upsert, and
   * COMMIT. The last attempt goes one event at a time instead (see `accept`).
   */
  private async handleInTransaction(
    tx: Queryable,
    messages: IncomingMessage[],
    decoded: DecodeResult[],
    lastAttempt: boolean,
    changes: ProjectionChanges,
  ): Promise<Outcome[]> {
    const planned = lastAttempt ? [] : decoded.flatMap((result) => (result.ok ? [result.event] : []));
    const [, from, before] = await Promise.all([
      this.pausePoint(tx),
      this.lockCheckpoints(tx, messages),
      // The streams of every decodable message, even one the checkpoint turns out to pass over
      // (a redelivery, rare): their locks and reads then ride in the same round trip.
      this.lockStreams(tx, planned),
    ]);
    const { outcomes, due, poison, checkpointAfter } = this.triage(messages, decoded, from);
    const touched = new Set<string>();
    if (lastAttempt) {
      await Promise.all(poison.map((letter) => this.deadLetter(tx, letter)));
      for (const { index, event, parsed } of due) {
        const { topic, partition, offset } = messages[index];
        const source = { topic, partition, offset };
        outcomes[index] = await this.accept(tx, event, parsed, { source, touched, changes });
      }
      await this.record(tx, NOTHING_PLANNED, checkpointAfter);
      await this.refreshOverviews(tx, touched, changes);
      return outcomes;
    }
    const events = due.map(({ event }) => event);
    const plan = planBatch<StreamRow>(events, await this.appliedAmong(tx, events, before), before, (row, event) =>
      projectionOf(this.projections, event.streamType).fold(row, event),
    );
    due.forEach(({ index }, i) => (outcomes[index] = plan.outcomes[i]));
    leftForCommit(
      ...poison.map((letter) => this.deadLetter(tx, letter)),
      ...this.writePlan(tx, plan, checkpointAfter, touched, changes),
      this.refreshOverviews(tx, touched, changes),
    );
    for (const event of plan.applied) {
      changes.applied(event.position, event.occurredAt);
      this.observer.applied(event);
    }
    for (const event of plan.drained) this.observer.outcome(event.streamType, 'drained');
    return outcomes;
  }

  /**
   * Sorts a batch's messages against their partitions' checkpoints: those below are passed over
   * ('checkpointed'), those that could not be decoded are poison (to dead-letter), the others are
   * due. Each partition's checkpoint moves past its last message.
   */
  private triage(messages: IncomingMessage[], decoded: DecodeResult[], from: Map<string, bigint>) {
    const outcomes = new Array<Outcome>(messages.length);
    const due: { index: number; event: ProjectedEvent; parsed: Record<string, unknown> }[] = [];
    const poison: DeadLetter[] = [];
    const next = new Map<string, CheckpointMove>();
    for (const [index, message] of messages.entries()) {
      const { topic, partition, offset } = message;
      const key = partitionKey(topic, partition);
      if (BigInt(offset) < from.get(key)!) {
        outcomes[index] = 'checkpointed';
        continue;
      }
      next.set(key, { topic, partition, next: (BigInt(offset) + 1n).toString() });
      const result = decoded[index];
      if (result.ok) {
        due.push({ index, event: result.event, parsed: result.parsed });
        continue;
      }
      outcomes[index] = 'dead-lettered';
      poison.push({
        reason: result.reason,
        detail: result.detail,
        identity: result.identity,
        streamType: message.streamType,
        envelope: result.parsed ?? null,
        raw: message.value,
        source: { topic, partition, offset },
      });
    }
    return { outcomes, due, poison, checkpointAfter: [...next.values()] };
  }

  /**
   * Locks the checkpoint rows of the messages' partitions (in one order for every transaction)
   * and answers, per partition, the next offset to apply (0 for a partition seen first).
   */
  private async lockCheckpoints(tx: Queryable, messages: IncomingMessage[]): Promise<Map<string, bigint>> {
    const from = new Map<string, bigint>();
    const topics: string[] = [];
    const partitions: number[] = [];
    for (const { topic, partition } of messages) {
      const key = partitionKey(topic, partition);
      if (from.has(key)) continue;
      from.set(key, 0n);
      topics.push(topic);
      partitions.push(partition);
    }
    const rows: { topic: string; partition: number; next_offset: string }[] = await tx.query(
      `SELECT c.topic, c.partition, c.next_offset::text AS next_offset
         FROM read_model.projection_checkpoints c
         JOIN unnest($2::text[], $3::int[]) AS p(topic, partition) ON c.topic = p.topic AND c.partition = p.partition
        WHERE c.projection = $1
        ORDER BY c.topic, c.partition
          FOR UPDATE OF c`,
      [this.options.projection, topics, partitions],
    );
    for (const row of rows) from.set(partitionKey(row.topic, row.partition), BigInt(row.next_offset));
    return from;
  }

  /**
   * Issues a plan's writes (not awaited: they share a round trip with what follows): each
   * read-model table's folded rows with one statement, then the bookkeeping with one more. The
   * clients of the folded rows go into `touched`, their cache keys into `changes`.
   */
  private writePlan(
    tx: Queryable,
    plan: BatchPlan<StreamRow>,
    checkpointAfter: CheckpointMove[],
    touched: Set<string>,
    changes: ProjectionChanges,
  ): Promise<void>[] {
    const foldedByType = new Map<string, StreamRow[]>();
    for (const stream of plan.streams) {
      if (!stream.folded) continue;
      const rows = foldedByType.get(stream.streamType) ?? [];
      rows.push(stream.row!);
      foldedByType.set(stream.streamType, rows);
      touched.add(stream.row!.clientId);
      changes.changed(stream.streamType, stream.streamId, stream.row!.clientId);
    }
    return [
      ...[...foldedByType].map(([streamType, rows]) => projectionOf(this.projections, streamType).save(tx, rows)),
      this.record(tx, plan, checkpointAfter),
    ];
  }

  /**
   * The positions among `events` that the ledger holds already. Only an event at or below its
   * stream's applied version can be there (the ledger and the versions move in the same
   * transactions), so the ledger is asked about those alone: usually none, and no statement at
   * all. It tells a redelivered event ('duplicate') from another of an old version ('stale').
   */
  private async appliedAmong(
    tx: Queryable,
    events: ProjectedEvent[],
    before: Map<string, StreamBefore<StreamRow>>,
  ): Promise<Set<string>> {
    const suspects = events.filter(
      (event) => event.streamVersion <= before.get(streamKey(event.streamType, event.streamId))!.version,
    );
    if (suspects.length === 0) return new Set();
    const rows: { position: string }[] = await tx.query(
      `SELECT position::text AS position FROM read_model.applied_events WHERE position = ANY($1::bigint[])`,
      [suspects.map((event) => event.position)],
    );
    return new Set(rows.map((row) => row.position));
  }

  /**
   * Locks the version rows of the events' streams (creating them at 0), in one order for every
   * transaction, and reads what a batch plan starts from: versions, waiting events and rows. The
   * reads are statements of their own, issued after the locks (the same round trip when the
   * connection pipelines), so that they see what an earlier holder of a lock committed.
   */
  private async lockStreams(tx: Queryable, events: ProjectedEvent[]): Promise<Map<string, StreamBefore<StreamRow>>> {
    const streams = new Map<string, { streamType: string; streamId: string }>();
    for (const { streamType, streamId } of events)
      streams.set(streamKey(streamType, streamId), { streamType, streamId });
    const keys = [...streams.keys()].sort();
    const types = keys.map((key) => streams.get(key)!.streamType);
    const ids = keys.map((key) => streams.get(key)!.streamId);
    const before = new Map<string, StreamBefore<StreamRow>>();
    if (keys.length === 0) return before;
    const idsByType = new Map<string, string[]>();
    types.forEach((type, i) => {
      const streamIds = idsByType.get(type) ?? [];
      streamIds.push(ids[i]);
      idsByType.set(type, streamIds);
    });
    const [locked, waiting, ...loaded] = await Promise.all([
      // ON CONFLICT DO UPDATE (to the same value) locks an existing row and returns it, and inserts
      // a new one: one statement either way. Rows are taken in the order of the input arrays.
      tx.query(
        `INSERT INTO read_model.stream_versions (stream_type, stream_id, version, position)
         SELECT stream_type, stream_id, 0, 0 FROM unnest($1::text[], $2::text[]) AS s(stream_type, stream_id)
         ON CONFLICT (stream_type, stream_id) DO UPDATE SET version = stream_versions.version
         RETURNING stream_type, stream_id, version`,
        [types, ids],
      ) as Promise<{ stream_type: string; stream_id: string; version: number }[]>,
      tx.query(
        `SELECT p.stream_type, p.stream_id, p.stream_version, p.envelope
           FROM read_model.pending_events p
           JOIN unnest($1::text[], $2::text[]) AS s(stream_type, stream_id)
             ON p.stream_type = s.stream_type AND p.stream_id = s.stream_id`,
        [types, ids],
      ) as Promise<
        { stream_type: string; stream_id: string; stream_version: number; envelope: ProjectedEvent | null }[]
      >,
      // No projection for a type: the plan's fold throws for its events, and the last attempt
      // dead-letters them.
      ...[...idsByType]
        .filter(([streamType]) => this.projections.has(streamType))
        .map(async ([streamType, streamIds]) => ({
          streamType,
          rows: await this.projections.get(streamType)!.load(tx, streamIds),
        })),
    ]);
    for (const row of locked) {
      before.set(streamKey(row.stream_type, row.stream_id), { version: row.version, row: null, waiting: new Map() });
    }
    for (const row of waiting) {
      before.get(streamKey(row.stream_type, row.stream_id))!.waiting.set(row.stream_version, row.envelope);
    }
    for (const { streamType, rows } of loaded) {
      for (const [streamId, row] of rows) before.get(streamKey(streamType, streamId))!.row = row;
    }
    return before;
  }

  /**
   * The bookkeeping of a batch, in ONE statement (its parts write different rows, so that running
   * them together changes nothing but the round trips): the applied events into the ledger, the
   * streams' new versions, their consumed waiting rows deleted, early events parked, and each
   * partition's checkpoint moved past its last message of the batch.
   */
  private async record(
    tx: Queryable,
    plan: Pick<BatchPlan<StreamRow>, 'applied' | 'streams' | 'park'>,
    checkpointAfter: CheckpointMove[],
  ): Promise<void> {
    const { applied, streams, park } = plan;
    if (applied.length === 0 && streams.length === 0 && park.length === 0 && checkpointAfter.length === 0) return;
    const cleared = streams.filter((stream) => stream.consumedWaiting);
    await tx.query(
      `WITH applied AS (
         INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version)
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::int[])
       ), moved AS (
         UPDATE read_model.stream_versions v
            SET version = s.version, position = coalesce(s.position, v.position), updated_at = now()
           FROM unnest($6::text[], $7::text[], $8::int[], $9::bigint[]) AS s(stream_type, stream_id, version, position)
          WHERE v.stream_type = s.stream_type AND v.stream_id = s.stream_id
       ), cleared AS (
         DELETE FROM read_model.pending_events p
          USING unnest($10::text[], $11::text[], $12::int[]) AS s(stream_type, stream_id, version)
          WHERE p.stream_type = s.stream_type AND p.stream_id = s.stream_id AND p.stream_version <= s.version
       ), parked AS (
         -- Early events, beyond their stream's new version: never rows that "cleared" deletes.
         INSERT INTO read_model.pending_events (stream_type, stream_id, stream_version, event_id, envelope)
         SELECT * FROM unnest($13::text[], $14::text[], $15::int[], $16::uuid[], $17::jsonb[]) ON CONFLICT DO NOTHING
       )
       INSERT INTO read_model.projection_checkpoints (projection, topic, partition, next_offset, updated_at)
       SELECT $18, topic, partition, next_offset, now()
         FROM unnest($19::text[], $20::int[], $21::bigint[]) AS c(topic, partition, next_offset)
       ON CONFLICT (projection, topic, partition) DO UPDATE
         SET next_offset = GREATEST(projection_checkpoints.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [
        applied.map((event) => event.id),
        applied.map((event) => event.position),
        applied.map((event) => event.streamType),
        applied.map((event) => event.streamId),
        applied.map((event) => event.streamVersion),
        streams.map((stream) => stream.streamType),
        streams.map((stream) => stream.streamId),
        streams.map((stream) => stream.version),
        streams.map((stream) => stream.position),
        cleared.map((stream) => stream.streamType),
        cleared.map((stream) => stream.streamId),
        cleared.map((stream) => stream.version),
        park.map((event) => event.streamType),
        park.map((event) => event.streamId),
        park.map((event) => event.streamVersion),
        park.map((event) => event.id),
        park.map((event) => JSON.stringify(event)),
        this.options.projection,
        checkpointAfter.map((move) => move.topic),
        checkpointAfter.map((move) => move.partition),
        checkpointAfter.map((move) => move.next),
      ],
    );
  }

  /** First statement of every write transaction of the live engine (see `pausableBySwitch`). */
  private async pausePoint(tx: Queryable): Promise<void> {
    if (this.options.pausableBySwitch) await holdSwitchLockShared(tx);
  }

  /**
   * Recomputes the overviews of the clients the transaction touched, once each, in client id
   * order (see ReadModelStore.refreshOverviews).
   */
  private refreshOverviews(tx: Queryable, touched: Set<string>, changes: ProjectionChanges): Promise<void> {
    const clientIds = [...touched].sort();
    for (const clientId of clientIds) changes.overview(clientId);
    return this.store.refreshOverviews(tx, clientIds);
  }

  /** Dedupe, order, apply (and drain the stream's waiting events). */
  private async accept(
    tx: Queryable,
    event: ProjectedEvent,
    parsed: Record<string, unknown>,
    context: ApplyContext,
  ): Promise<Outcome> {
    const seen = await tx.query(`SELECT 1 FROM read_model.applied_events WHERE position = $1`, [event.position]);
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
        touched: context.touched,
        changes: context.changes,
      });
      this.observer.outcome(streamType, 'drained');
      if (!applied) return;
    }
  }

  /** Applies one event in a savepoint; on a handler error dead-letters it alone. */
  private async applyOne(
    tx: Queryable,
    event: ProjectedEvent,
    parsed: Record<string, unknown>,
    context: ApplyContext,
  ): Promise<boolean> {
    await tx.query(`SAVEPOINT apply_event`);
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
      await tx.query(`RELEASE SAVEPOINT apply_event`);
      context.changes.applied(event.position, event.occurredAt);
      this.observer.applied(event);
      return true;
    } catch (error) {
      // The database failing is not the event's fault: the whole transaction is tried again.
      if (isInfrastructureError(error)) throw error;
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
    const projection = projectionOf(this.projections, event.streamType);
    const current = (await projection.load(tx, [event.streamId])).get(event.streamId) ?? null;
    const next = projection.fold(current, event);
    await projection.save(tx, [next]);
    touched.add(next.clientId);
    changes.changed(event.streamType, event.streamId, next.clientId);
  }

  private async deadLetter(tx: Queryable, letter: DeadLetter): Promise<Outcome> {
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
