import { ClientConfigCreated, ClientConfigFeatureFlagSet, ClientConfigSettingsChanged } from '@analytics/contracts';
import { ProjectedEvent, ProjectionError } from '../projections/projected-event';
import { instant, laterOf, maxPosition } from '../shared/instants';
import { ConnectorProfileRow } from '../connector-profiles/connector-profile.fold';
import { ServiceProposalRow } from '../service-proposals/service-proposal.fold';

/** The client-config stream folded: the configuration part of a client's overview. */
export interface ClientConfigRow {
  clientConfigId: string;
  clientId: string;
  displayName: string;
  timezone: string;
  currency: string;
  status: 'active' | 'archived';
  settings: Record<string, unknown>;
  featureFlags: Record<string, boolean>;
  version: number;
  position: string;
  updatedAt: string;
}

export function foldClientConfig(row: ClientConfigRow | null, event: ProjectedEvent): ClientConfigRow {
  if (event.type === 'client-config.created') {
    if (row) throw new ProjectionError(`client config ${event.streamId} created twice`);
    const data = event.data as ClientConfigCreated['data'];
    return {
      clientConfigId: event.streamId,
      clientId: data.clientId,
      displayName: data.displayName,
      timezone: data.timezone,
      currency: data.currency,
      status: 'active',
      settings: data.settings,
      featureFlags: data.featureFlags,
      ...stamp(event),
    };
  }
  if (!row) throw new ProjectionError(`${event.type} for client config ${event.streamId}, which was never created`);
  switch (event.type) {
    case 'client-config.settings-changed':
      return { ...row, settings: (event.data as ClientConfigSettingsChanged['data']).settings, ...stamp(event) };
    case 'client-config.feature-flag-set': {
      const { flag, enabled } = event.data as ClientConfigFeatureFlagSet['data'];
      return { ...row, featureFlags: { ...row.featureFlags, [flag]: enabled }, ...stamp(event) };
    }
    case 'client-config.archived':
      return { ...row, status: 'archived', ...stamp(event) };
    default:
      throw new ProjectionError(`No client-config projection for ${event.type}`);
  }
}

function stamp(event: ProjectedEvent) {
  return { version: event.streamVersion, position: event.position, updatedAt: instant(event.occurredAt) };
}

/** Counts over a client's connector profiles and proposals, as SQL aggregates return them. */
export interface ClientAggregates {
  connectors: { kind: string; status: string; count: number }[];
  proposals: { status: string; count: number; totalMinor: string }[];
  /** Latest updatedAt and highest position over the client's profiles and proposals. */
  lastActivityAt: string | null;
  position: string;
}

export interface ClientOverviewRow {
  clientId: string;
  clientConfigId: string | null;
  displayName: string | null;
  timezone: string | null;
  currency: string | null;
  status: string | null;
  settings: Record<string, unknown> | null;
  featureFlags: Record<string, boolean> | null;
  configVersion: number;
  connectors: { total: number; byKind: Record<string, number>; byStatus: Record<string, number> };
  proposals: { total: number; byStatus: Record<string, number> };
  acceptedTotalMinor: string;
  lastActivityAt: string | null;
  position: string;
}

/** A client's overview from its configuration (null: not seen yet) and the aggregates of its other streams. */
export function overviewOf(
  clientId: string,
  config: ClientConfigRow | null,
  aggregates: ClientAggregates,
): ClientOverviewRow {
  const byKind: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let connectorTotal = 0;
  for (const { kind, status, count } of aggregates.connectors) {
    byKind[kind] = (byKind[kind] ?? 0) + count;
    byStatus[status] = (byStatus[status] ?? 0) + count;
    connectorTotal += count;
  }
  const proposalsByStatus: Record<string, number> = {};
  let proposalTotal = 0;
  let accepted = 0n;
  for (const { status, count, totalMinor } of aggregates.proposals) {
    proposalsByStatus[status] = (proposalsByStatus[status] ?? 0) + count;
    proposalTotal += count;
    if (status === 'accepted') accepted += BigInt(totalMinor);
  }
  return {
    clientId,
    clientConfigId: config?.clientConfigId ?? null,
    displayName: config?.displayName ?? null,
    timezone: config?.timezone ?? null,
    currency: config?.currency ?? null,
    status: config?.status ?? null,
    settings: config?.settings ?? null,
    featureFlags: config?.featureFlags ?? null,
    configVersion: config?.version ?? 0,
    connectors: { total: connectorTotal, byKind: sortedKeys(byKind), byStatus: sortedKeys(byStatus) },
    proposals: { total: proposalTotal, byStatus: sortedKeys(proposalsByStatus) },
    acceptedTotalMinor: accepted.toString(),
    lastActivityAt: laterOf(config?.updatedAt ?? null, aggregates.lastActivityAt),
    position: maxPosition(config?.position ?? '0', aggregates.position),
  };
}

/** The aggregates of a client's rows, computed in memory (what the SQL edge computes in Postgres). */
export function aggregatesOf(profiles: ConnectorProfileRow[], proposals: ServiceProposalRow[]): ClientAggregates {
  const connectors = new Map<string, { kind: string; status: string; count: number }>();
  for (const profile of profiles) {
    const key = `${profile.kind}/${profile.status}`;
    const group = connectors.get(key) ?? { kind: profile.kind, status: profile.status, count: 0 };
    group.count += 1;
    connectors.set(key, group);
  }
  const byStatus = new Map<string, { status: string; count: number; totalMinor: string }>();
  for (const proposal of proposals) {
    const group = byStatus.get(proposal.status) ?? { status: proposal.status, count: 0, totalMinor: '0' };
    group.count += 1;
    group.totalMinor = (BigInt(group.totalMinor) + BigInt(proposal.totalMinor)).toString();
    byStatus.set(proposal.status, group);
  }
  let lastActivityAt: string | null = null;
  let position = '0';
  for (const row of [...profiles, ...proposals]) {
    lastActivityAt = laterOf(lastActivityAt, row.updatedAt);
    position = maxPosition(position, row.position);
  }
  return { connectors: [...connectors.values()], proposals: [...byStatus.values()], lastActivityAt, position };
}

function sortedKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
