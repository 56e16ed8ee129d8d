import { upcasters } from '@analytics/contracts';
import { appendToStream, currentVersion, readStreamToDecide, StreamVersionConflictError } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { PreparedStatements, Queryable, renderSqlWrite, SqlWrite } from '@analytics/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { commandApiConfig, CommandApiConfig } from '../command-api.config';
import { IdempotencyRequest, keyReusedError, recordFirstResponse, storedResponse } from '../idempotency/idempotency';
import { OutboxWakeUp } from '../outbox/outbox-wake-up';
import { RequestFingerprint } from '../secrets/request-fingerprint';
import { CommandContext, CommandOutcome, CommandResult } from './command-context';
import { NotFoundError, VersionConflictError } from './domain-errors';
import { DomainEvent, EventSourcedStream, StreamCommand } from './event-sourced-stream';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs a command: load the stream (upcasting old events; a create has none to load), check the
 * expected version, decide, then write the events, their outbox entries, the write-model row and
 * the idempotency record in ONE statement at the version read: all of it commits or none of it.
 * A command whose decision reads other tables (`readsOtherTables`) runs that read and the
 * statement in one transaction.
 *
 * Reading the stream outside the write is safe: the append fails unless the stream is still at
 * the version read (409), exactly as when a concurrent writer commits between read and write.
 */
@Injectable()
export class CommandExecutor {
  private readonly db: PreparedStatements;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly topics: TopicNames,
    @Inject(commandApiConfig.KEY) private readonly config: CommandApiConfig,
    private readonly fingerprint: RequestFingerprint,
    private readonly outbox: OutboxWakeUp,
  ) {
    this.db = PreparedStatements.of(dataSource);
  }

  async execute<State, Event extends DomainEvent>(
    stream: EventSourcedStream<State, Event>,
    id: string,
    command: StreamCommand<State, Event>,
    context: CommandContext,
  ): Promise<CommandOutcome> {
    const idempotency = context.idempotency && {
      key: context.idempotency.key,
      requestHash: this.fingerprint.of(context.idempotency.request),
      ttlSeconds: this.config.idempotencyTtlSeconds,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return { result: await this.run(stream, id, command, context, idempotency), replayed: false };
      } catch (error) {
        // A repeat fails on its key, or on what its first run changed (the version moved on, the
        // clientId is taken, ...): what is stored for the key then decides the answer.
        const stored =
          idempotency && (await storedResponse<CommandResult>(this.db, idempotency).catch(() => undefined));
        if (stored?.kind === 'same-request') return { result: stored.response, replayed: true };
        if (stored?.kind === 'other-request') throw keyReusedError();
        if (stored?.kind === 'expired' && attempt === 1) continue; // the key is free again
        throw await this.domainErrorOf(error, stream, id);
      }
    }
  }

  private async run<State, Event extends DomainEvent>(
    stream: EventSourcedStream<State, Event>,
    id: string,
    command: StreamCommand<State, Event>,
    context: CommandContext,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<CommandResult> {
    // A create runs under an id the server has just minted: its stream has no events to read. Were
    // it to have some, the append at version 0 would fail (409) as for any concurrent writer.
    const history = command.creates ? [] : await readStreamToDecide(this.db, stream.streamType, id);
    const version = history.length;
    if (version === 0 && !command.creates) throw new NotFoundError(`${stream.label} ${id} does not exist`);
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      throw new VersionConflictError(
        `${stream.label} ${id} is at version ${version}, not ${context.expectedVersion}`,
        version,
      );
    }
    const state = history
      .map(({ type, schemaVersion, data }) => upcasters.upcast({ type, schemaVersion, data }) as Event)
      .reduce(stream.evolve, stream.initialState);
    const status = command.creates ? 201 : 200;

    const decideAndWrite = async (db: Queryable): Promise<CommandResult> => {
      const events = await command.decide(state, db);
      if (events.length === 0) {
        // Nothing to change (e.g. enabling an enabled connector): the command succeeds as is.
        const unchanged = { id, version, position: history[version - 1].position };
        if (idempotency) {
          const { sql, parameters } = renderSqlWrite(
            recordFirstResponse(idempotency, status, (param) => `${param(JSON.stringify(unchanged))}::jsonb`),
          );
          await db.query(sql, parameters);
        }
        return unchanged;
      }
      const newVersion = version + events.length;
      const alongside: SqlWrite[] = [];
      const writeModel = stream.writeModel(id, events.reduce(stream.evolve, state), newVersion);
      if (writeModel) alongside.push(writeModel);
      if (idempotency) {
        // The position is the append's: read from the statement's `appended` events.
        const body: SqlWrite = (param) =>
          `${param(JSON.stringify({ id, version: newVersion }))}::jsonb
             || jsonb_build_object('position', (SELECT max(position)::text FROM appended))`;
        alongside.push(recordFirstResponse(idempotency, status, body));
      }
      const appended = await appendToStream(db, {
        streamType: stream.streamType,
        streamId: id,
        expectedVersion: version,
        events: events.map((event) => ({
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data as Record<string, unknown>,
          metadata: { correlationId: context.correlationId, causationId: context.causationId },
        })),
        topic: this.topics.eventsOf(stream.streamType),
        alongside,
      });
      return { id, version: appended.version, position: appended.position };
    };
    const result = await (command.readsOtherTables
      ? this.db.transaction((tx) => decideAndWrite(tx))
      : decideAndWrite(this.db));
    // The stream moved: its events are committed in the outbox, for this process's relay to send.
    if (result.version > version) this.outbox.committed();
    return result;
  }

  private async domainErrorOf<State, Event extends DomainEvent>(
    error: unknown,
    stream: EventSourcedStream<State, Event>,
    id: string,
  ): Promise<unknown> {
    if (error instanceof StreamVersionConflictError) {
      const current = error.actualVersion ?? (await currentVersion(this.db, stream.streamType, id));
      return new VersionConflictError(`${stream.label} ${id} changed meanwhile (now version ${current})`, current);
    }
    const { code, constraint } = error as { code?: string; constraint?: string };
    const violation = code === UNIQUE_VIOLATION && constraint ? stream.uniqueViolation?.(constraint) : undefined;
    return violation ?? error;
  }
}
