import { EventEnvelope } from '@analytics/contracts';
import { randomUUID } from 'node:crypto';

/** An event as appendToStream takes it (type, schema version, data). */
export interface SampleEvent {
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
}

/** Contract-valid events of every stream, for read-side tests. */
export const sample = {
  clientCreated: (clientId: string, currency = 'EUR'): SampleEvent => ({
    type: 'client-config.created',
    schemaVersion: 2,
    data: {
      clientId,
      displayName: `Client ${clientId}`,
      timezone: 'Europe/Paris',
      currency,
      settings: {},
      featureFlags: {},
    },
  }),
  clientCreatedV1: (clientId: string): SampleEvent => ({
    type: 'client-config.created',
    schemaVersion: 1,
    data: { clientId, displayName: `Client ${clientId}`, timezone: 'UTC', currency: 'USD', settings: { a: 1 } },
  }),
  settingsChanged: (settings: Record<string, unknown>): SampleEvent => ({
    type: 'client-config.settings-changed',
    schemaVersion: 1,
    data: { patch: settings, settings },
  }),
  flagSet: (flag: string, enabled: boolean): SampleEvent => ({
    type: 'client-config.feature-flag-set',
    schemaVersion: 1,
    data: { flag, enabled },
  }),
  clientArchived: (): SampleEvent => ({ type: 'client-config.archived', schemaVersion: 1, data: {} }),
  connectorRegistered: (clientId: string, name: string, kind: 'postgres' | 'sftp' = 'postgres'): SampleEvent => ({
    type: 'connector-profile.registered',
    schemaVersion: 1,
    data: {
      clientId,
      name,
      kind,
      config:
        kind === 'postgres'
          ? { host: 'db.example.com', port: 5432, database: 'sales', username: 'reader' }
          : { host: 'files.example.com', port: 22, username: 'ftp' },
      tags: ['prod'],
      secrets: 'v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBA==:c2VjcmV0',
      secretNames: ['password'],
    },
  }),
  connectorUpdated: (changes: Record<string, unknown>): SampleEvent => ({
    type: 'connector-profile.updated',
    schemaVersion: 1,
    data: changes,
  }),
  connectorDisabled: (): SampleEvent => ({ type: 'connector-profile.disabled', schemaVersion: 1, data: {} }),
  connectorEnabled: (): SampleEvent => ({ type: 'connector-profile.enabled', schemaVersion: 1, data: {} }),
  connectorArchived: (): SampleEvent => ({ type: 'connector-profile.archived', schemaVersion: 1, data: {} }),
  proposalDrafted: (clientId: string, lines: [quantity: number, unitPriceMinor: number][]): SampleEvent => ({
    type: 'service-proposal.drafted',
    schemaVersion: 1,
    data: {
      clientId,
      title: 'Analytics onboarding',
      currency: 'EUR',
      lineItems: lineItemsOf(lines),
      totalMinor: totalOf(lines),
      validUntil: '2099-01-01T00:00:00.000Z',
    },
  }),
  proposalRevised: (lines: [number, number][]): SampleEvent => ({
    type: 'service-proposal.revised',
    schemaVersion: 1,
    data: {
      title: 'Analytics onboarding (revised)',
      lineItems: lineItemsOf(lines),
      totalMinor: totalOf(lines),
      validUntil: '2099-06-01T00:00:00.000Z',
    },
  }),
  proposalSubmitted: (): SampleEvent => ({ type: 'service-proposal.submitted', schemaVersion: 1, data: {} }),
  proposalAccepted: (): SampleEvent => ({
    type: 'service-proposal.accepted',
    schemaVersion: 1,
    data: { acceptedAt: '2030-01-01T12:00:00.000Z' },
  }),
  proposalRejected: (reason = 'Too expensive'): SampleEvent => ({
    type: 'service-proposal.rejected',
    schemaVersion: 1,
    data: { reason },
  }),
  proposalWithdrawn: (): SampleEvent => ({ type: 'service-proposal.withdrawn', schemaVersion: 1, data: {} }),
};

function lineItemsOf(lines: [number, number][]) {
  return lines.map(([quantity, unitPriceMinor], i) => ({
    sku: `SKU-${i + 1}`,
    description: `Line ${i + 1}`,
    quantity,
    unitPriceMinor,
  }));
}

function totalOf(lines: [number, number][]): string {
  return lines.reduce((sum, [quantity, price]) => sum + BigInt(quantity) * BigInt(price), 0n).toString();
}

/** Builds the contract envelopes of one stream's events, numbered from `firstVersion`. */
export function envelopesOf(
  streamType: string,
  streamId: string,
  events: SampleEvent[],
  options: { firstVersion?: number; positionOf?: () => bigint } = {},
): EventEnvelope[] {
  const first = options.firstVersion ?? 1;
  return events.map((event, i) => {
    const at = options.positionOf?.() ?? nextPosition();
    return {
      id: randomUUID(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      streamType,
      streamId,
      streamVersion: first + i,
      position: String(at),
      occurredAt: new Date(Date.UTC(2030, 0, 1) + Number(at) * 1000).toISOString(),
      correlationId: randomUUID(),
      causationId: null,
      data: event.data,
      metadata: {},
    };
  });
}

let position = 1_000n;
function nextPosition(): bigint {
  position += 1n;
  return position;
}
