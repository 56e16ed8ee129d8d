import { CLIENT_CONFIG_STREAM, ClientConfigEvent } from '@analytics/contracts';
import { appendToStream, currentVersion, readStream, StreamVersionConflictError } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { commandApiConfig, CommandApiConfig } from '../command-api.config';
import { runOnce } from '../idempotency/idempotency';
import { CommandContext, CommandOutcome, CommandResult } from '../shared/command-context';
import { NotFoundError, RuleViolationError, VersionConflictError } from '../shared/domain-errors';
import {
  ClientConfigCommand,
  ClientConfigState,
  decideClientConfig,
  evolveClientConfig,
  initialClientConfigState,
} from './domain/client-config.decider';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs one client-config command in one transaction: load the stream, decide, append the events
 * (with their outbox entries) at the version read, and update the write-model row.
 */
@Injectable()
export class ClientConfigStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly topics: TopicNames,
    @Inject(commandApiConfig.KEY) private readonly config: CommandApiConfig,
  ) {}

  async execute(id: string, command: ClientConfigCommand, context: CommandContext): Promise<CommandOutcome> {
    const idempotency = context.idempotency && {
      ...context.idempotency,
      ttlSeconds: this.config.idempotencyTtlSeconds,
    };
    const status = command.type === 'create' ? 201 : 200;
    try {
      return await this.db.transaction((tx) =>
        runOnce(tx, idempotency, status, () => this.executeIn(tx, id, command, context)),
      );
    } catch (error) {
      if (error instanceof StreamVersionConflictError) {
        const current = await currentVersion(this.db, CLIENT_CONFIG_STREAM, id);
        throw new VersionConflictError(`client config ${id} changed meanwhile (now version ${current})`, current);
      }
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && command.type === 'create') {
        throw new RuleViolationError('client-id-taken', `clientId "${command.clientId}" is already used`);
      }
      throw error;
    }
  }

  private async executeIn(
    tx: EntityManager,
    id: string,
    command: ClientConfigCommand,
    context: CommandContext,
  ): Promise<CommandResult> {
    const history = await readStream(tx, CLIENT_CONFIG_STREAM, id);
    const version = history.length;
    if (version === 0 && command.type !== 'create') throw new NotFoundError(`client config ${id} does not exist`);
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      throw new VersionConflictError(
        `client config ${id} is at version ${version}, not ${context.expectedVersion}`,
        version,
      );
    }
    const state = history
      .map(({ type, schemaVersion, data }) => ({ type, schemaVersion, data }) as ClientConfigEvent)
      .reduce(evolveClientConfig, initialClientConfigState);
    const events = decideClientConfig(command, state);
    const appended = await appendToStream(tx, {
      streamType: CLIENT_CONFIG_STREAM,
      streamId: id,
      expectedVersion: version,
      events: events.map((event) => ({
        ...event,
        metadata: { correlationId: context.correlationId, causationId: context.causationId },
      })),
      topic: this.topics.eventsOf(CLIENT_CONFIG_STREAM),
    });
    await saveWriteModel(tx, id, events.reduce(evolveClientConfig, state), appended.version);
    return { id, version: appended.version, position: appended.position };
  }
}

async function saveWriteModel(tx: EntityManager, id: string, state: ClientConfigState, version: number) {
  if (state.status === 'absent') return;
  await tx.query(
    `INSERT INTO client_configs (id, client_id, display_name, timezone, currency, settings, feature_flags, status, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, timezone = excluded.timezone,
       currency = excluded.currency, settings = excluded.settings, feature_flags = excluded.feature_flags,
       status = excluded.status, version = excluded.version, updated_at = now()`,
    [
      id,
      state.clientId,
      state.displayName,
      state.timezone,
      state.currency,
      JSON.stringify(state.settings),
      JSON.stringify(state.featureFlags),
      state.status,
      version,
    ],
  );
}
