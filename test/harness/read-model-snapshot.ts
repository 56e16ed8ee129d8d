import { Queryable } from '@analytics/persistence';
import { toClientOverview } from '../../apps/query-api/src/clients/clients.http.controller';
import { ReadModelState } from '../../apps/query-api/src/projections/fold-history';
import { toConnectorProfile, toServiceProposal } from '../../apps/query-api/src/projections/read-model.store';

/** The read model's three tables as the same shape foldHistory returns, for equality checks. */
export async function readModelSnapshot(db: Queryable): Promise<ReadModelState> {
  const overviews = await db.query(
    `SELECT client_id, client_config_id, display_name, timezone, currency, status, settings, feature_flags,
            config_version, connectors, proposals, accepted_total_minor::text AS accepted_total_minor,
            last_activity_at, position::text AS position
       FROM read_model.client_overviews ORDER BY client_id`,
  );
  const profiles = await db.query(
    `SELECT id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version,
            position::text AS position FROM read_model.connector_profiles ORDER BY id`,
  );
  const proposals = await db.query(
    `SELECT id, client_id, title, currency, status, line_items, total_minor::text AS total_minor, valid_until,
            rejection_reason, drafted_at, submitted_at, decided_at, updated_at, version, position::text AS position
       FROM read_model.service_proposals ORDER BY id`,
  );
  const keyed = <T extends object>(rows: T[], key: (row: T) => string) => new Map(rows.map((row) => [key(row), row]));
  return {
    clientOverviews: keyed(overviews.map(toClientOverview), (row) => row.clientId),
    connectorProfiles: keyed(profiles.map(toConnectorProfile), (row) => row.id),
    serviceProposals: keyed(proposals.map(toServiceProposal), (row) => row.id),
  };
}

/** Maps as sorted plain objects (stable for toEqual and for a checksum). */
export function canonicalState(state: ReadModelState) {
  const sorted = <T>(map: Map<string, T>) =>
    Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    clientOverviews: sorted(state.clientOverviews),
    connectorProfiles: sorted(state.connectorProfiles),
    serviceProposals: sorted(state.serviceProposals),
  };
}
