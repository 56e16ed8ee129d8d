import { CLIENT_CONFIG_STREAM, ClientConfigEvent } from '@analytics/contracts';
import { EntityManager } from 'typeorm';
import { RuleViolationError } from '../shared/domain-errors';
import { EventSourcedStream, StreamCommand } from '../shared/event-sourced-stream';
import {
  ClientConfigCommand,
  ClientConfigState,
  decideClientConfig,
  evolveClientConfig,
  initialClientConfigState,
} from './domain/client-config.decider';

/** The client-config stream and its write-model row (`client_configs`). */
export const clientConfigStream: EventSourcedStream<ClientConfigState, ClientConfigEvent> = {
  streamType: CLIENT_CONFIG_STREAM,
  label: 'client config',
  initialState: initialClientConfigState,
  evolve: evolveClientConfig,
  saveWriteModel,
  // The only unique index besides the primary key is on client_id.
  uniqueViolation: () => new RuleViolationError('client-id-taken', 'This clientId is already used by another client'),
};

export function clientConfigCommand(command: ClientConfigCommand): StreamCommand<ClientConfigState, ClientConfigEvent> {
  return {
    name: command.type,
    creates: command.type === 'create',
    decide: (state) => decideClientConfig(command, state),
  };
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
