import { CONNECTOR_PROFILE_STREAM, ConnectorKind, ConnectorProfileEvent } from '@analytics/contracts';
import { RequestValidationException } from '@analytics/http';
import { Queryable, SqlWrite } from '@analytics/persistence';
import { RuleViolationError } from '../shared/domain-errors';
import { EventSourcedStream, StreamCommand } from '../shared/event-sourced-stream';
import { connectorSettingsErrors } from './domain/connector-kinds';
import {
  ClientStatus,
  ConnectorProfileCommand,
  ConnectorProfileDetails,
  ConnectorProfileState,
  decideConnectorProfile,
  evolveConnectorProfile,
  initialConnectorProfileState,
  SealedSecrets,
  sameJson,
} from './domain/connector-profile.decider';
import { SecretBox } from '../secrets/secret-box';

type Stream = EventSourcedStream<ConnectorProfileState, ConnectorProfileEvent>;
type Command = StreamCommand<ConnectorProfileState, ConnectorProfileEvent>;

/** The connector-profile stream and its write-model row (`connector_profiles`). */
export const connectorProfileStream: Stream = {
  streamType: CONNECTOR_PROFILE_STREAM,
  label: 'connector profile',
  initialState: initialConnectorProfileState,
  evolve: evolveConnectorProfile,
  writeModel,
  uniqueViolation: (constraint) =>
    constraint === 'uq_connector_profiles_client_name'
      ? new RuleViolationError('connector-name-taken', 'This client already has a connector profile of this name')
      : undefined,
};

/** A connector's settings as sent: `secrets` in clear, sealed here before anything records them. */
export interface ConnectorSettingsInput {
  name?: string;
  config?: Record<string, unknown>;
  tags?: string[];
  secrets?: Record<string, string>;
}

export function registerConnectorProfile(
  id: string,
  input: Required<Omit<ConnectorSettingsInput, 'secrets'>> & {
    clientId: string;
    kind: ConnectorKind;
    secrets?: Record<string, string>;
  },
  box: SecretBox,
): Command {
  return {
    name: 'register',
    creates: true,
    readsOtherTables: true,
    decide: async (state, db) => {
      checkSettings(input.kind, input);
      const client = await clientStatus(db, input.clientId);
      const sealed = seal(box, id, input.secrets ?? {});
      return decideConnectorProfile(
        {
          type: 'register',
          client,
          clientId: input.clientId,
          name: input.name,
          kind: input.kind,
          config: input.config as ConnectorProfileDetails['config'],
          tags: input.tags,
          ...sealed,
        },
        state,
      );
    },
  };
}

export function updateConnectorProfile(id: string, input: ConnectorSettingsInput, box: SecretBox): Command {
  return {
    name: 'update',
    creates: false,
    decide: (state) => {
      // Archived: the decider refuses whatever the content; otherwise the kind says what is valid.
      if (state.status === 'absent' || state.status === 'archived')
        return decideConnectorProfile({ type: 'update' }, state);
      checkSettings(state.kind, input);
      return decideConnectorProfile(
        {
          type: 'update',
          name: input.name,
          config: input.config as ConnectorProfileDetails['config'] | undefined,
          tags: input.tags,
          secrets: input.secrets && resealIfChanged(box, id, state.secrets, input.secrets),
        },
        state,
      );
    },
  };
}

export function connectorProfileCommand(
  command: Extract<ConnectorProfileCommand, { type: 'disable' | 'enable' | 'archive' }>,
): Command {
  return { name: command.type, creates: false, decide: (state) => decideConnectorProfile(command, state) };
}

function checkSettings(kind: ConnectorKind, input: ConnectorSettingsInput) {
  const errors = connectorSettingsErrors(kind, { config: input.config, secrets: input.secrets });
  if (errors.length > 0) throw new RequestValidationException(errors);
}

/** The owning client, locked against a concurrent archive until this command commits. */
async function clientStatus(db: Queryable, clientId: string): Promise<ClientStatus> {
  const rows: { status: string }[] = await db.query(
    `SELECT status FROM client_configs WHERE client_id = $1 FOR SHARE`,
    [clientId],
  );
  if (rows.length === 0) return 'absent';
  return rows[0].status === 'archived' ? 'archived' : 'active';
}

/** The whole secret map sealed, bound to the profile id; an empty map is no secrets at all. */
function seal(box: SecretBox, id: string, secrets: Record<string, string>): SealedSecrets {
  const secretNames = Object.keys(secrets).sort();
  if (secretNames.length === 0) return { secrets: null, secretNames: [] };
  return { secrets: box.sealMap(secrets, id), secretNames };
}

/** Undefined when the new map equals the current one (sealing twice never gives the same text). */
function resealIfChanged(
  box: SecretBox,
  id: string,
  current: string | null,
  secrets: Record<string, string>,
): SealedSecrets | undefined {
  if (current !== null) {
    try {
      if (sameJson(box.openMap(current, id), secrets)) return undefined;
    } catch {
      // Sealed with another key: replace it.
    }
  }
  return seal(box, id, secrets);
}

function writeModel(id: string, state: ConnectorProfileState, version: number): SqlWrite | undefined {
  if (state.status === 'absent') return undefined;
  return (param) =>
    `INSERT INTO connector_profiles (id, client_id, name, kind, config, encrypted_secrets, tags, status, version)
     VALUES (${param(id)}, ${param(state.clientId)}, ${param(state.name)}, ${param(state.kind)},
             ${param(JSON.stringify(state.config))}, ${param(state.secrets)}, ${param(state.tags)},
             ${param(state.status)}, ${param(version)})
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config,
       encrypted_secrets = excluded.encrypted_secrets, tags = excluded.tags, status = excluded.status,
       version = excluded.version, updated_at = now()`;
}
