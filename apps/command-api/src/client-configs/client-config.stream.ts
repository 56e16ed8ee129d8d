import { CLIENT_CONFIG_STREAM, ClientConfigEvent } from '@analytics/contracts';
import { SqlWrite } from '@analytics/persistence';
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
  writeModel,
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

function writeModel(id: string, state: ClientConfigState, version: number): SqlWrite | undefined {
  if (state.status === 'absent') return undefined;
  return (param) =>
    `INSERT INTO client_configs (id, client_id, display_name, timezone, currency, settings, feature_flags, status, version)
     VALUES (${param(id)}, ${param(state.clientId)}, ${param(state.displayName)},
             ${param(state.timezone)}, ${param(state.currency)},
             ${param(JSON.stringify(state.settings))}, ${param(JSON.stringify(state.featureFlags))},
             ${param(state.status)}, ${param(version)})
     ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, timezone = excluded.timezone,
       currency = excluded.currency, settings = excluded.settings, feature_flags = excluded.feature_flags,
       status = excluded.status, version = excluded.version, updated_at = now()`;
}
