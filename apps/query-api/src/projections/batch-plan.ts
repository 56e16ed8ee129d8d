import { ProjectedEvent } from './projected-event';

/** What became of an event of a batch (the engine adds dead letters and checkpointed messages). */
export type PlannedOutcome = 'applied' | 'duplicate' | 'stale' | 'pending';

/** A stream as the batch found it in the database, under the stream's lock. */
export interface StreamBefore<Row> {
  /** The last version applied (0: none). */
  version: number;
  /** Its read-model row (null: not created yet). */
  row: Row | null;
  /** Events waiting in pending_events for their predecessor, by version (null: a skipped version). */
  waiting: Map<number, ProjectedEvent | null>;
}

/** A stream whose version moved: what to write back. */
export interface StreamAfter<Row> {
  streamType: string;
  streamId: string;
  version: number;
  /** Position of the last event applied to it (null: it only passed over skipped versions). */
  position: string | null;
  /** The folded row (unchanged when only skipped versions were passed over). */
  row: Row | null;
  /** True when events were applied to the row. */
  folded: boolean;
  /** True when waiting rows of the database were consumed: those up to `version` are deleted. */
  consumedWaiting: boolean;
}

export interface BatchPlan<Row> {
  /** One per event, in the batch's order. */
  outcomes: PlannedOutcome[];
  /** Every event applied, in the order applied (the batch's own and those drained from waiting). */
  applied: ProjectedEvent[];
  /** The applied events that had been waiting (for the engine's "drained" count). */
  drained: ProjectedEvent[];
  /** The streams whose version moved. */
  streams: StreamAfter<Row>[];
  /** Events of the batch that must wait for a predecessor (new pending_events rows). */
  park: ProjectedEvent[];
}

/** The key of a stream in the plan's maps. */
export function streamKey(streamType: string, streamId: string): string {
  return `${streamType}:${streamId}`;
}

interface StreamInPlan<Row> extends StreamAfter<Row> {
  waiting: Map<number, ProjectedEvent | null>;
  /** Versions of `waiting` that this batch parked (the rest came from the database). */
  parkedHere: Set<number>;
}

/**
 * Decides, in memory, what a batch of events does to the read model: the same rules the engine
 * applies one event at a time (dedupe by position, version n only on top of n - 1, an early event
 * waits, an old version is a no-op, a waiting successor is applied as soon as its predecessor is),
 * for a whole batch at once. Each stream's events are folded in order and only its final row is
 * written back. A fold that throws aborts the whole plan (the engine then retries the batch one
 * event at a time, where a failing event can be dead-lettered alone).
 *
 * `before` must hold every stream of the events not in `alreadyApplied`.
 */
export function planBatch<Row>(
  events: readonly ProjectedEvent[],
  /** Positions of events of the batch that the ledger holds already. */
  alreadyApplied: ReadonlySet<string>,
  before: ReadonlyMap<string, StreamBefore<Row>>,
  fold: (row: Row | null, event: ProjectedEvent) => Row,
): BatchPlan<Row> {
  const appliedPositions = new Set(alreadyApplied);
  const streams = new Map<string, StreamInPlan<Row>>();
  const plan: BatchPlan<Row> = { outcomes: [], applied: [], drained: [], streams: [], park: [] };

  const streamOf = (event: ProjectedEvent): StreamInPlan<Row> => {
    const key = streamKey(event.streamType, event.streamId);
    let stream = streams.get(key);
    if (!stream) {
      const found = before.get(key);
      if (!found) throw new Error(`planBatch: stream ${key} was not loaded`);
      stream = {
        streamType: event.streamType,
        streamId: event.streamId,
        version: found.version,
        position: null,
        row: found.row,
        folded: false,
        consumedWaiting: false,
        waiting: new Map(found.waiting),
        parkedHere: new Set(),
      };
      streams.set(key, stream);
    }
    return stream;
  };

  const apply = (stream: StreamInPlan<Row>, event: ProjectedEvent) => {
    stream.row = fold(stream.row, event);
    stream.version = event.streamVersion;
    stream.position = event.position;
    stream.folded = true;
    appliedPositions.add(event.position);
    plan.applied.push(event);
  };

  /** Applies (or passes over) the waiting versions right after the stream's, until a gap. */
  const drain = (stream: StreamInPlan<Row>) => {
    for (let next = stream.version + 1; stream.waiting.has(next); next = stream.version + 1) {
      const waiting = stream.waiting.get(next)!;
      stream.waiting.delete(next);
      if (!stream.parkedHere.delete(next)) stream.consumedWaiting = true;
      if (waiting === null) {
        stream.version = next;
      } else {
        apply(stream, waiting);
        plan.drained.push(waiting);
      }
    }
  };

  for (const event of events) {
    if (appliedPositions.has(event.position)) {
      plan.outcomes.push('duplicate');
      continue;
    }
    const stream = streamOf(event);
    if (event.streamVersion <= stream.version) {
      plan.outcomes.push('stale');
    } else if (event.streamVersion > stream.version + 1) {
      if (!stream.waiting.has(event.streamVersion)) {
        stream.waiting.set(event.streamVersion, event);
        stream.parkedHere.add(event.streamVersion);
      }
      plan.outcomes.push('pending');
    } else {
      apply(stream, event);
      drain(stream);
      plan.outcomes.push('applied');
    }
  }

  for (const stream of streams.values()) {
    const moved = before.get(streamKey(stream.streamType, stream.streamId))!.version !== stream.version;
    if (moved) plan.streams.push(stream);
    for (const version of stream.parkedHere) {
      if (version > stream.version) plan.park.push(stream.waiting.get(version)!);
    }
  }
  return plan;
}
