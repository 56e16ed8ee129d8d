import { EntityManager } from 'typeorm';
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
  /** Writes the write-model row from the state after the command, in the command's transaction. */
  saveWriteModel(tx: EntityManager, id: string, state: State, version: number): Promise<void>;
  /** The business error a unique index of the write model stands for (e.g. a name taken). */
  uniqueViolation?(constraint: string): DomainError | undefined;
}

/** One command against one stream: whether it creates the stream, and its decision. */
export interface StreamCommand<State, Event extends DomainEvent> {
  /** For metrics and logs: `create`, `archive`. */
  name: string;
  creates: boolean;
  /**
   * The events the command produces from the current state, or a DomainError. Runs inside the
   * command's transaction, so facts read from other tables (the client exists) hold at commit.
   */
  decide(state: State, tx: EntityManager): Event[] | Promise<Event[]>;
}
