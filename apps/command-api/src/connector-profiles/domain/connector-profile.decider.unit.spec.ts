import { ConnectorProfileEvent } from '@analytics/contracts';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';
import {
  ConnectorProfileCommand,
  decideConnectorProfile,
  evolveConnectorProfile,
  initialConnectorProfileState,
} from './connector-profile.decider';

const SEALED = 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA';
const RESEALED = 'v1:BBBBBBBBBBBBBBBB:BBBBBBBBBBBBBBBBBBBBBA==:BBBB';

const registered: ConnectorProfileEvent = {
  type: 'connector-profile.registered',
  schemaVersion: 1,
  data: {
    clientId: 'acme',
    name: 'Orders',
    kind: 'postgres',
    config: { host: 'db', port: 5432, database: 'orders', username: 'reader' },
    tags: ['finance'],
    secrets: SEALED,
    secretNames: ['password'],
  },
};
const disabled: ConnectorProfileEvent = { type: 'connector-profile.disabled', schemaVersion: 1, data: {} };
const enabled: ConnectorProfileEvent = { type: 'connector-profile.enabled', schemaVersion: 1, data: {} };
const archived: ConnectorProfileEvent = { type: 'connector-profile.archived', schemaVersion: 1, data: {} };

/** given(events).when(command) -> events or error */
const given = (...history: ConnectorProfileEvent[]) => ({
  when: (command: ConnectorProfileCommand) => () =>
    decideConnectorProfile(command, history.reduce(evolveConnectorProfile, initialConnectorProfileState)),
});

describe('connector profile decisions', () => {
  const register = (client: 'absent' | 'active' | 'archived' = 'active'): ConnectorProfileCommand => ({
    type: 'register',
    client,
    ...(registered.data as Extract<ConnectorProfileEvent, { type: 'connector-profile.registered' }>['data']),
  });

  it('registers a profile for an active client', () => {
    expect(given().when(register())()).toEqual([registered]);
  });

  it('refuses a client that does not exist (422) or is archived (409)', () => {
    expect(given().when(register('absent'))).toThrow(UnprocessableError);
    expect(given().when(register('absent'))).toThrow(/no client acme/);
    expect(given().when(register('archived'))).toThrow(RuleViolationError);
    try {
      given().when(register('archived'))();
    } catch (error) {
      expect((error as RuleViolationError).code).toBe('client-archived');
    }
  });

  it('refuses to register twice', () => {
    expect(given(registered).when(register())).toThrow(/exists/);
  });

  it('records only the fields that changed', () => {
    const update: ConnectorProfileCommand = {
      type: 'update',
      name: 'Orders',
      config: { port: 5432, host: 'replica', database: 'orders', username: 'reader' },
      tags: ['finance'],
    };
    expect(given(registered).when(update)()).toEqual([
      {
        type: 'connector-profile.updated',
        schemaVersion: 1,
        data: { config: { port: 5432, host: 'replica', database: 'orders', username: 'reader' } },
      },
    ]);
  });

  it('records nothing when nothing changed, whatever the order of config members', () => {
    const same: ConnectorProfileCommand = {
      type: 'update',
      name: 'Orders',
      config: { username: 'reader', database: 'orders', port: 5432, host: 'db' },
      tags: ['finance'],
    };
    expect(given(registered).when(same)()).toEqual([]);
    expect(given(registered).when({ type: 'update' })()).toEqual([]);
  });

  it('records new secrets as ciphertext and names; removing none when there are none is nothing', () => {
    const rotated = given(registered).when({
      type: 'update',
      secrets: { secrets: RESEALED, secretNames: ['password'] },
    })();
    expect(rotated).toEqual([
      { type: 'connector-profile.updated', schemaVersion: 1, data: { secrets: RESEALED, secretNames: ['password'] } },
    ]);
    const removed: ConnectorProfileEvent = {
      type: 'connector-profile.updated',
      schemaVersion: 1,
      data: { secrets: null, secretNames: [] },
    };
    expect(given(registered).when({ type: 'update', secrets: { secrets: null, secretNames: [] } })()).toEqual([
      removed,
    ]);
    expect(given(registered, removed).when({ type: 'update', secrets: { secrets: null, secretNames: [] } })()).toEqual(
      [],
    );
  });

  it('applies updates to the state', () => {
    const renamed: ConnectorProfileEvent = {
      type: 'connector-profile.updated',
      schemaVersion: 1,
      data: { name: 'Orders v2', tags: [] },
    };
    expect([registered, renamed].reduce(evolveConnectorProfile, initialConnectorProfileState)).toMatchObject({
      status: 'active',
      name: 'Orders v2',
      tags: [],
      kind: 'postgres',
      secrets: SEALED,
    });
  });

  it('disables and enables; doing either twice records nothing', () => {
    expect(given(registered).when({ type: 'disable' })()).toEqual([disabled]);
    expect(given(registered, disabled).when({ type: 'disable' })()).toEqual([]);
    expect(given(registered, disabled).when({ type: 'enable' })()).toEqual([enabled]);
    expect(given(registered).when({ type: 'enable' })()).toEqual([]);
    expect(given(registered, disabled, enabled).when({ type: 'enable' })()).toEqual([]);
  });

  it('updates a disabled profile too', () => {
    expect(given(registered, disabled).when({ type: 'update', name: 'Renamed' })()).toHaveLength(1);
  });

  it('archives (also when disabled), after which every command is refused with connector-archived', () => {
    expect(given(registered).when({ type: 'archive' })()).toEqual([archived]);
    expect(given(registered, disabled).when({ type: 'archive' })()).toEqual([archived]);
    const commands: ConnectorProfileCommand[] = [
      { type: 'archive' },
      { type: 'enable' },
      { type: 'disable' },
      { type: 'update', name: 'x' },
      { type: 'update' },
      register(),
    ];
    for (const command of commands) {
      expect(given(registered, archived).when(command)).toThrow(RuleViolationError);
      expect(given(registered, archived).when(command)).toThrow(/archived connector profile/);
    }
  });

  it('refuses to change what was never registered', () => {
    expect(given().when({ type: 'disable' })).toThrow(/does not exist/);
  });
});
