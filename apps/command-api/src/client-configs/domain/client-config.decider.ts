import { ClientConfigCreated, ClientConfigEvent } from '@analytics/contracts';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';
import { applyMergePatch, jsonDepth } from '../../shared/json-merge-patch';

export const MAX_SETTINGS_BYTES = 64 * 1024;
export const MAX_SETTINGS_DEPTH = 8;

/** What a client configuration holds: exactly what its creation records. */
type ClientConfigDetails = ClientConfigCreated['data'];

export type ClientConfigState = { status: 'absent' } | ({ status: 'active' | 'archived' } & ClientConfigDetails);

export type ClientConfigCommand =
  | ({ type: 'create' } & ClientConfigDetails)
  | { type: 'change-settings'; patch: Record<string, unknown> }
  | { type: 'set-feature-flag'; flag: string; enabled: boolean }
  | { type: 'archive' };

export const initialClientConfigState: ClientConfigState = { status: 'absent' };

export function evolveClientConfig(state: ClientConfigState, event: ClientConfigEvent): ClientConfigState {
  switch (event.type) {
    case 'client-config.created':
      return { status: 'active', ...event.data };
    case 'client-config.settings-changed':
      return state.status === 'absent' ? state : { ...state, settings: event.data.settings };
    case 'client-config.feature-flag-set':
      return state.status === 'absent'
        ? state
        : { ...state, featureFlags: { ...state.featureFlags, [event.data.flag]: event.data.enabled } };
    case 'client-config.archived':
      return state.status === 'absent' ? state : { ...state, status: 'archived' };
  }
}

/** Business rules of a client configuration: the events a command produces, or why it can't. */
export function decideClientConfig(command: ClientConfigCommand, state: ClientConfigState): ClientConfigEvent[] {
  if (state.status === 'archived') {
    throw new RuleViolationError('client-archived', 'An archived client configuration accepts no commands');
  }
  switch (command.type) {
    case 'create': {
      if (state.status !== 'absent') throw new RuleViolationError('already-exists', 'The client configuration exists');
      const { type: _, ...data } = command;
      checkSettings(data.settings);
      return [{ type: 'client-config.created', schemaVersion: 2, data }];
    }
    case 'change-settings': {
      if (state.status === 'absent')
        throw new RuleViolationError('not-created', 'The client configuration does not exist');
      const settings = applyMergePatch(state.settings, command.patch) as Record<string, unknown>;
      checkSettings(settings);
      return [{ type: 'client-config.settings-changed', schemaVersion: 1, data: { patch: command.patch, settings } }];
    }
    case 'set-feature-flag': {
      if (state.status === 'absent')
        throw new RuleViolationError('not-created', 'The client configuration does not exist');
      // Already so: nothing happened, nothing to record.
      if (state.featureFlags[command.flag] === command.enabled) return [];
      const { flag, enabled } = command;
      return [{ type: 'client-config.feature-flag-set', schemaVersion: 1, data: { flag, enabled } }];
    }
    case 'archive':
      if (state.status === 'absent')
        throw new RuleViolationError('not-created', 'The client configuration does not exist');
      return [{ type: 'client-config.archived', schemaVersion: 1, data: {} }];
  }
}

function checkSettings(settings: Record<string, unknown>) {
  if (Buffer.byteLength(JSON.stringify(settings)) > MAX_SETTINGS_BYTES) {
    throw new UnprocessableError('settings-too-large', `settings must not exceed ${MAX_SETTINGS_BYTES} bytes`);
  }
  if (jsonDepth(settings) > MAX_SETTINGS_DEPTH) {
    throw new UnprocessableError('settings-too-deep', `settings must not be nested deeper than ${MAX_SETTINGS_DEPTH}`);
  }
}
