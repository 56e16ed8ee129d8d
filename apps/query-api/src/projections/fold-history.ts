import {
  aggregatesOf,
  ClientConfigRow,
  ClientOverviewRow,
  foldClientConfig,
  overviewOf,
} from '../clients/client-overview.fold';
import { ConnectorProfileRow, foldConnectorProfile } from '../connector-profiles/connector-profile.fold';
import { foldServiceProposal, ServiceProposalRow } from '../service-proposals/service-proposal.fold';
import { ProjectedEvent } from './projected-event';

/** The whole read model, as plain rows keyed by id (what a rebuild or a test compares). */
export interface ReadModelState {
  clientOverviews: Map<string, ClientOverviewRow>;
  connectorProfiles: Map<string, ConnectorProfileRow>;
  serviceProposals: Map<string, ServiceProposalRow>;
}

/**
 * The read model as a pure fold of events: each stream folded in version order, then one
 * overview per client seen in any stream. The projection engine must always end up equal to this
 * for the events it has applied.
 */
export function foldHistory(events: readonly ProjectedEvent[]): ReadModelState {
  const ordered = [...events].sort((a, b) =>
    a.streamId === b.streamId ? a.streamVersion - b.streamVersion : a.streamId < b.streamId ? -1 : 1,
  );
  const configs = new Map<string, ClientConfigRow>();
  const connectorProfiles = new Map<string, ConnectorProfileRow>();
  const serviceProposals = new Map<string, ServiceProposalRow>();
  for (const event of ordered) {
    if (event.streamType === 'client-config') {
      configs.set(event.streamId, foldClientConfig(configs.get(event.streamId) ?? null, event));
    } else if (event.streamType === 'connector-profile') {
      connectorProfiles.set(event.streamId, foldConnectorProfile(connectorProfiles.get(event.streamId) ?? null, event));
    } else if (event.streamType === 'service-proposal') {
      serviceProposals.set(event.streamId, foldServiceProposal(serviceProposals.get(event.streamId) ?? null, event));
    }
  }
  const clientIds = new Set<string>([
    ...[...configs.values()].map((row) => row.clientId),
    ...[...connectorProfiles.values()].map((row) => row.clientId),
    ...[...serviceProposals.values()].map((row) => row.clientId),
  ]);
  const clientOverviews = new Map<string, ClientOverviewRow>();
  for (const clientId of clientIds) {
    const config = [...configs.values()].find((row) => row.clientId === clientId) ?? null;
    const profiles = [...connectorProfiles.values()].filter((row) => row.clientId === clientId);
    const proposals = [...serviceProposals.values()].filter((row) => row.clientId === clientId);
    clientOverviews.set(clientId, overviewOf(clientId, config, aggregatesOf(profiles, proposals)));
  }
  return { clientOverviews, connectorProfiles, serviceProposals };
}
