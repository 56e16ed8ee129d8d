import { Queryable, SqlWrite } from '@analytics/persistence';
import { DomainError } from './domain-errors';

/** An event as the deciders see it: current schema version, typed data. */
export interface DomainEvent {
  type: string;
  schemaVersion: number;
  data: object;
}

/**
 * What the command executor needs to know about one event-sourced stream type: how to fold its
 * events into state, and how to keep its normalized write-model row in step with that state.
 */
export interface EventSourcedStream<State, Event extends DomainEvent> {
  streamType: string;
  /** For messages: "client config", "connector profile". */
  label: string;
  initialState: State;
  evolve(state: State, event: Event): State;
  /**
   * The write of the write-model row for the state after the command (undefined: no row). It goes
   * into the statement that appends the events, so row and events never disagree.
   */
  writeModel(id: string, state: State, version: number): SqlWrite | undefined;
  /** The business error a unique index of the write model stands for (e.g. a name taken). */
  uniqueViolation?(constraint: string): DomainError | undefined;
}

/** One command against one stream: whether it creates the stream, and its decision. */
export interface StreamCommand<State, Event extends DomainEvent> {
  /** For metrics and logs: `create`, `archive`. */
  name: string;
  /**
   * True when the command starts a stream under an id minted for it by the server: the executor
   * then reads no history (there can be none) and appends at version 0.
   */
  creates: boolean;
  /**
   * Set when `decide` reads other tables (the client exists and is active): the decision and the
   * writes then share a transaction, and what it read FOR SHARE holds at commit. Without it the
   * command's writes are a single statement, with no BEGIN/COMMIT round trips.
   */
  readsOtherTables?: boolean;
  /** The events the command produces from the current state, or a DomainError. */
  decide(state: State, db: Queryable): Event[] | Promise<Event[]>;
}
