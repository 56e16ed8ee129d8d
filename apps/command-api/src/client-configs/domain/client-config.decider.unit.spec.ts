import { ClientConfigEvent } from '@analytics/contracts';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';
import {
  ClientConfigCommand,
  decideClientConfig,
  evolveClientConfig,
  initialClientConfigState,
} from './client-config.decider';

const created: ClientConfigEvent = {
  type: 'client-config.created',
  schemaVersion: 2,
  data: {
    clientId: 'acme',
    displayName: 'Acme',
    timezone: 'Europe/Paris',
    currency: 'EUR',
    settings: { a: { b: 1 } },
    featureFlags: {},
  },
};
const archived: ClientConfigEvent = { type: 'client-config.archived', schemaVersion: 1, data: {} };

/** given(events).when(command) -> events or error */
const given = (...history: ClientConfigEvent[]) => ({
  when: (command: ClientConfigCommand) => () =>
    decideClientConfig(command, history.reduce(evolveClientConfig, initialClientConfigState)),
});

describe('client config decisions', () => {
  it('creates a new client configuration', () => {
    expect(given().when({ type: 'create', ...created.data })()).toEqual([created]);
  });

  it('applies a merge patch to the settings and records both', () => {
    expect(given(created).when({ type: 'change-settings', patch: { a: { b: null, c: 2 }, d: true } })()).toEqual([
      {
        type: 'client-config.settings-changed',
        schemaVersion: 1,
        data: { patch: { a: { b: null, c: 2 }, d: true }, settings: { a: { c: 2 }, d: true } },
      },
    ]);
  });

  it('refuses settings that a patch would make deeper than 8 levels', () => {
    const deep = { l1: { l2: { l3: { l4: { l5: { l6: { l7: { l8: { l9: 1 } } } } } } } } };
    expect(given(created).when({ type: 'change-settings', patch: deep })).toThrow(UnprocessableError);
  });

  it('refuses settings over 64 KB', () => {
    expect(given(created).when({ type: 'change-settings', patch: { big: 'x'.repeat(70_000) } })).toThrow(
      /settings must not exceed/,
    );
  });

  it('sets a feature flag, and records nothing when it already has that value', () => {
    const set: ClientConfigEvent = {
      type: 'client-config.feature-flag-set',
      schemaVersion: 1,
      data: { flag: 'beta', enabled: true },
    };
    expect(given(created).when({ type: 'set-feature-flag', flag: 'beta', enabled: true })()).toEqual([set]);
    expect(given(created, set).when({ type: 'set-feature-flag', flag: 'beta', enabled: true })()).toEqual([]);
    expect(given(created, set).when({ type: 'set-feature-flag', flag: 'beta', enabled: false })()).toHaveLength(1);
  });

  it('archives, after which every command is refused', () => {
    expect(given(created).when({ type: 'archive' })()).toEqual([archived]);
    for (const command of [{ type: 'archive' }, { type: 'change-settings', patch: {} }] as ClientConfigCommand[]) {
      expect(given(created, archived).when(command)).toThrow(RuleViolationError);
    }
  });

  it('refuses to change what was never created', () => {
    expect(given().when({ type: 'archive' })).toThrow(/does not exist/);
  });
});
