import { EventEnvelope } from '@analytics/contracts';
import { envelopesOf, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { foldConnectorProfile } from '../connector-profiles/connector-profile.fold';
import { foldServiceProposal } from '../service-proposals/service-proposal.fold';
import { EventDecoder } from './event-decoder';
import { foldHistory } from './fold-history';
import { ProjectedEvent } from './projected-event';

const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });
const decoded = (envelopes: EventEnvelope[]): ProjectedEvent[] =>
  envelopes.map((envelope) => {
    const result = decoder.decode(JSON.stringify(envelope), envelope.streamType);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    return result.event;
  });

describe('read-model folds', () => {
  it('keeps only the names of a connector profile secrets, never the ciphertext', () => {
    const id = randomUUID();
    const [registered, updated, disabled] = decoded(
      envelopesOf('connector-profile', id, [
        sample.connectorRegistered('acme', 'warehouse'),
        sample.connectorUpdated({ secrets: 'v1:AAAA:BBBB:CCCC', secretNames: ['password', 'token'], tags: ['a'] }),
        sample.connectorDisabled(),
      ]),
    );
    const row = [registered, updated, disabled].reduce(foldConnectorProfile, null as never);
    expect(row).toMatchObject({
      id,
      clientId: 'acme',
      status: 'disabled',
      secretNames: ['password', 'token'],
      tags: ['a'],
      version: 3,
      position: disabled.position,
    });
    expect(JSON.stringify(row)).not.toMatch(/v1:|secrets"/);
  });

  it('prices proposal lines exactly beyond 2^53 and follows the lifecycle', () => {
    const events = decoded(
      envelopesOf('service-proposal', randomUUID(), [
        sample.proposalDrafted('acme', [[3, 100]]),
        sample.proposalRevised([
          [1_000_000, 1_000_000_000_000],
          [7, 3],
        ]),
        sample.proposalSubmitted(),
        sample.proposalAccepted(),
      ]),
    );
    const row = events.reduce(foldServiceProposal, null as never);
    expect(row.totalMinor).toBe('1000000000000000021');
    expect(row.lineItems.map((line) => line.amountMinor)).toEqual(['1000000000000000000', '21']);
    expect(row).toMatchObject({ status: 'accepted', decidedAt: '2030-01-01T12:00:00.000Z', version: 4 });
  });

  it('refuses an event for a row that does not exist (the engine dead-letters it)', () => {
    const [disabled] = decoded(envelopesOf('connector-profile', randomUUID(), [sample.connectorDisabled()]));
    expect(() => foldConnectorProfile(null, disabled)).toThrow(/never registered/);
  });

  it('builds client overviews from all three streams, whatever stream order', () => {
    const config = envelopesOf('client-config', randomUUID(), [
      sample.clientCreatedV1('acme'),
      sample.flagSet('beta', true),
      sample.settingsChanged({ theme: 'dark' }),
    ]);
    const p1 = envelopesOf('connector-profile', randomUUID(), [sample.connectorRegistered('acme', 'a')]);
    const p2 = envelopesOf('connector-profile', randomUUID(), [
      sample.connectorRegistered('acme', 'b', 'sftp'),
      sample.connectorDisabled(),
    ]);
    const big = envelopesOf('service-proposal', randomUUID(), [
      sample.proposalDrafted('acme', [[1_000_000, 1_000_000_000_000]]),
      sample.proposalSubmitted(),
      sample.proposalAccepted(),
    ]);
    const small = envelopesOf('service-proposal', randomUUID(), [
      sample.proposalDrafted('acme', [[1, 5]]),
      sample.proposalSubmitted(),
      sample.proposalAccepted(),
    ]);
    const draft = envelopesOf('service-proposal', randomUUID(), [sample.proposalDrafted('other', [[1, 1]])]);
    const all = decoded([...config, ...p1, ...p2, ...big, ...small, ...draft]);
    const state = foldHistory(all);
    const reversed = foldHistory([...all].reverse());
    expect(reversed).toEqual(state);

    expect(state.clientOverviews.get('acme')).toMatchObject({
      displayName: 'Client acme',
      currency: 'USD',
      status: 'active',
      featureFlags: { beta: true },
      settings: { theme: 'dark' },
      configVersion: 3,
      connectors: { total: 2, byKind: { postgres: 1, sftp: 1 }, byStatus: { active: 1, disabled: 1 } },
      proposals: { total: 2, byStatus: { accepted: 2 } },
      acceptedTotalMinor: '1000000000000000005',
      position: small[2].position,
    });
    // A client known only from another stream has an overview without configuration.
    expect(state.clientOverviews.get('other')).toMatchObject({
      displayName: null,
      configVersion: 0,
      proposals: { total: 1, byStatus: { draft: 1 } },
    });
  });
});

describe('EventDecoder', () => {
  const [valid] = envelopesOf('client-config', randomUUID(), [sample.clientCreated('acme')]);

  it('upcasts client-config.created v1 to v2 and validates it', () => {
    const [old] = envelopesOf('client-config', randomUUID(), [sample.clientCreatedV1('acme')]);
    const result = decoder.decode(Buffer.from(JSON.stringify(old)), 'client-config');
    expect(result).toMatchObject({ ok: true, event: { schemaVersion: 2, data: { featureFlags: {} } } });
  });

  it.each([
    ['an empty value', null, 'empty'],
    ['text that is not JSON', 'not json {', 'invalid-json'],
    ['a value over the size limit', 'x'.repeat(1024 * 1024 + 1), 'too-large'],
    [
      'a __proto__ member',
      JSON.stringify(valid).replace('"data":{', '"data":{"__proto__":{"polluted":true},'),
      'forbidden-key',
    ],
    [
      'an escaped __proto__ member',
      JSON.stringify(valid).replace('"metadata":{}', '"metadata":{"\\u005f_proto__":1}'),
      'forbidden-key',
    ],
    ['a JSON array', '[1,2]', 'invalid-envelope'],
    ['an unknown event type', JSON.stringify({ ...valid, type: 'client-config.renamed' }), 'unknown-event-type'],
    ['an unknown schema version', JSON.stringify({ ...valid, schemaVersion: 9 }), 'unknown-event-type'],
    ['data that breaks the schema', JSON.stringify({ ...valid, data: { clientId: 'A B' } }), 'invalid-envelope'],
    ['an envelope member missing', JSON.stringify({ ...valid, position: undefined }), 'invalid-envelope'],
    [
      'an event of another stream type',
      JSON.stringify({ ...valid, streamType: 'service-proposal' }),
      'wrong-stream-type',
    ],
  ])('refuses %s', (_, value, reason) => {
    const result = decoder.decode(value === null ? null : Buffer.from(value), 'client-config');
    expect(result).toMatchObject({ ok: false, reason });
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
  });

  it('keeps the identity of a rejected envelope, so its stream can wait behind it', () => {
    const result = decoder.decode(JSON.stringify({ ...valid, data: {} }), 'client-config');
    expect(result).toMatchObject({
      ok: false,
      identity: { eventId: valid.id, streamId: valid.streamId, streamVersion: 1, streamType: 'client-config' },
    });
  });
});
