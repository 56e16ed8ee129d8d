import { upcasters } from '@analytics/contracts';
import { appendToStream, currentVersion, readStream, StreamVersionConflictError } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { commandApiConfig, CommandApiConfig } from '../command-api.config';
import { runOnce } from '../idempotency/idempotency';
import { RequestFingerprint } from '../secrets/request-fingerprint';
import { CommandContext, CommandOutcome, CommandResult } from './command-context';
import { NotFoundError, VersionConflictError } from './domain-errors';
import { DomainEvent, EventSourcedStream, StreamCommand } from './event-sourced-stream';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs a command in ONE transaction: claim the idempotency key, load the stream (upcasting old
 * events), check the expected version, decide, append the events with their outbox entries at the
 * version read, and update the write-model row. Either all of it commits or none of it.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly topics: TopicNames,
    @Inject(commandApiConfig.KEY) private readonly config: CommandApiConfig,
    private readonly fingerprint: RequestFingerprint,
  ) {}

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
    try {
      return await this.db.transaction((tx) =>
        runOnce(tx, idempotency, command.creates ? 201 : 200, () => this.executeIn(tx, stream, id, command, context)),
      );
    } catch (error) {
      if (error instanceof StreamVersionConflictError) {
        const current = await currentVersion(this.db, stream.streamType, id);
        throw new VersionConflictError(`${stream.label} ${id} changed meanwhile (now version ${current})`, current);
      }
      const { code, constraint } = error as { code?: string; constraint?: string };
      const violation = code === UNIQUE_VIOLATION && constraint ? stream.uniqueViolation?.(constraint) : undefined;
      throw violation ?? error;
    }
  }

  private async executeIn<State, Event extends DomainEvent>(
    tx: EntityManager,
    stream: EventSourcedStream<State, Event>,
    id: string,
    command: StreamCommand<State, Event>,
    context: CommandContext,
  ): Promise<CommandResult> {
    const history = await readStream(tx, stream.streamType, id);
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
    const events = await command.decide(state, tx);
    // Nothing to change (e.g. enabling an enabled connector): the command succeeds as is.
    if (events.length === 0) return { id, version, position: history[version - 1].position };
    const appended = await appendToStream(tx, {
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
    });
    await stream.saveWriteModel(tx, id, events.reduce(stream.evolve, state), appended.version);
    return { id, version: appended.version, position: appended.position };
  }
}
