import { ConnectorProfileEvent, ConnectorProfileRegistered, ConnectorProfileUpdated } from '@analytics/contracts';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';

/** What a connector profile holds: exactly what its registration records (secrets sealed). */
export type ConnectorProfileDetails = ConnectorProfileRegistered['data'];
export type ConnectorProfileChanges = ConnectorProfileUpdated['data'];
export type ConnectorProfileStatus = 'active' | 'disabled' | 'archived';

export type ConnectorProfileState =
  { status: 'absent' } | ({ status: ConnectorProfileStatus } & ConnectorProfileDetails);

/** The owning client as found in the write model when the command runs. */
export type ClientStatus = 'absent' | 'active' | 'archived';

/** Sealed secrets: the ciphertext of the whole map (null: none) and the names it holds. */
export interface SealedSecrets {
  secrets: string | null;
  secretNames: string[];
}

export type ConnectorProfileCommand =
  | ({ type: 'register'; client: ClientStatus } & ConnectorProfileDetails)
  | {
      type: 'update';
      name?: string;
      config?: ConnectorProfileDetails['config'];
      tags?: string[];
      /** Already sealed; absent: keep the secrets. Sealing is not deterministic (random IV). */
      secrets?: SealedSecrets;
    }
  | { type: 'disable' }
  | { type: 'enable' }
  | { type: 'archive' };

export const initialConnectorProfileState: ConnectorProfileState = { status: 'absent' };

export function evolveConnectorProfile(
  state: ConnectorProfileState,
  event: ConnectorProfileEvent,
): ConnectorProfileState {
  if (event.type === 'connector-profile.registered') return { status: 'active', ...event.data };
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'connector-profile.updated':
      return { ...state, ...event.data };
    case 'connector-profile.disabled':
      return { ...state, status: 'disabled' };
    case 'connector-profile.enabled':
      return { ...state, status: 'active' };
    case 'connector-profile.archived':
      return { ...state, status: 'archived' };
  }
}

/** Business rules of a connector profile: the events a command produces, or why it can't. */
export function decideConnectorProfile(
  command: ConnectorProfileCommand,
  state: ConnectorProfileState,
): ConnectorProfileEvent[] {
  if (state.status === 'archived') {
    throw new RuleViolationError('connector-archived', 'An archived connector profile accepts no commands');
  }
  if (command.type === 'register') {
    if (state.status !== 'absent') throw new RuleViolationError('already-exists', 'The connector profile exists');
    if (command.client === 'absent') {
      throw new UnprocessableError('client-not-found', `There is no client ${command.clientId}`);
    }
    if (command.client === 'archived') {
      throw new RuleViolationError('client-archived', `The client ${command.clientId} is archived`);
    }
    const { type: _, client: __, ...data } = command;
    return [{ type: 'connector-profile.registered', schemaVersion: 1, data }];
  }
  if (state.status === 'absent') {
    throw new RuleViolationError('not-registered', 'The connector profile does not exist');
  }
  switch (command.type) {
    case 'update': {
      const changes = changedFields(state, command);
      return Object.keys(changes).length === 0
        ? []
        : [{ type: 'connector-profile.updated', schemaVersion: 1, data: changes }];
    }
    case 'disable':
      // Already so: nothing happened, nothing to record.
      return state.status === 'disabled' ? [] : [{ type: 'connector-profile.disabled', schemaVersion: 1, data: {} }];
    case 'enable':
      return state.status === 'active' ? [] : [{ type: 'connector-profile.enabled', schemaVersion: 1, data: {} }];
    case 'archive':
      return [{ type: 'connector-profile.archived', schemaVersion: 1, data: {} }];
  }
}

/** Only what differs from the current state; config and secrets are replaced as a whole. */
function changedFields(
  state: ConnectorProfileDetails,
  command: Extract<ConnectorProfileCommand, { type: 'update' }>,
): ConnectorProfileChanges {
  const changes: ConnectorProfileChanges = {};
  if (command.name !== undefined && command.name !== state.name) changes.name = command.name;
  if (command.config !== undefined && !sameJson(command.config, state.config)) changes.config = command.config;
  if (command.tags !== undefined && !sameJson(command.tags, state.tags)) changes.tags = command.tags;
  if (command.secrets !== undefined && !(command.secrets.secrets === null && state.secrets === null)) {
    changes.secrets = command.secrets.secrets;
    changes.secretNames = command.secrets.secretNames;
  }
  return changes;
}

/** Equal as JSON values, whatever the order of object members. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}
