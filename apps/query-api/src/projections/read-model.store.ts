import { Queryable } from '@analytics/persistence';
import { ClientAggregates, ClientConfigRow, ClientOverviewRow, overviewOf } from '../clients/client-overview.fold';
import { ConnectorProfileRow } from '../connector-profiles/connector-profile.fold';
import { ServiceProposalRow } from '../service-proposals/service-proposal.fold';

const iso = (value: Date | string | null): string | null =>
  value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString();

/**
 * The SQL edge of the projections: loads the row an event folds into, saves the folded row, and
 * recomputes a client's overview from its rows. Every method runs in the caller's transaction.
 */
export class ReadModelStore {
  async connectorProfile(tx: Queryable, id: string): Promise<ConnectorProfileRow | null> {
    const [row] = await tx.query(
      `SELECT id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version,
              position::text AS position
         FROM read_model.connector_profiles WHERE id = $1`,
      [id],
    );
    return row ? toConnectorProfile(row) : null;
  }

  async saveConnectorProfile(tx: Queryable, row: ConnectorProfileRow): Promise<void> {
    await tx.query(
      `INSERT INTO read_model.connector_profiles
         (id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO UPDATE SET client_id = $2, name = $3, kind = $4, status = $5, config = $6, tags = $7,
         secret_names = $8, registered_at = $9, updated_at = $10, version = $11, position = $12`,
      [
        row.id,
        row.clientId,
        row.name,
        row.kind,
        row.status,
        JSON.stringify(row.config),
        row.tags,
        row.secretNames,
        row.registeredAt,
        row.updatedAt,
        row.version,
        row.position,
      ],
    );
  }

  async serviceProposal(tx: Queryable, id: string): Promise<ServiceProposalRow | null> {
    const [row] = await tx.query(
      `SELECT id, client_id, title, currency, status, line_items, total_minor::text AS total_minor, valid_until,
              rejection_reason, drafted_at, submitted_at, decided_at, updated_at, version, position::text AS position
         FROM read_model.service_proposals WHERE id = $1`,
      [id],
    );
    return row ? toServiceProposal(row) : null;
  }

  async saveServiceProposal(tx: Queryable, row: ServiceProposalRow): Promise<void> {
    await tx.query(
      `INSERT INTO read_model.service_proposals
         (id, client_id, title, currency, status, line_items, total_minor, valid_until, rejection_reason, drafted_at,
          submitted_at, decided_at, updated_at, version, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (id) DO UPDATE SET client_id = $2, title = $3, currency = $4, status = $5, line_items = $6,
         total_minor = $7, valid_until = $8, rejection_reason = $9, drafted_at = $10, submitted_at = $11,
         decided_at = $12, updated_at = $13, version = $14, position = $15`,
      [
        row.id,
        row.clientId,
        row.title,
        row.currency,
        row.status,
        JSON.stringify(row.lineItems),
        row.totalMinor,
        row.validUntil,
        row.rejectionReason,
        row.draftedAt,
        row.submittedAt,
        row.decidedAt,
        row.updatedAt,
        row.version,
        row.position,
      ],
    );
  }

  /** The folded client-config stream, found by its stream id or by the client's slug. */
  async clientConfig(tx: Queryable, by: { streamId: string } | { clientId: string }): Promise<ClientConfigRow | null> {
    const [row] = await tx.query(
      `SELECT id, client_id, display_name, timezone, currency, status, settings, feature_flags, updated_at, version,
              position::text AS position
         FROM read_model.client_configs
        WHERE ${'streamId' in by ? 'id = $1' : 'client_id = $1'}
        ORDER BY client_configs.position DESC LIMIT 1`,
      ['streamId' in by ? by.streamId : by.clientId],
    );
    if (!row) return null;
    return {
      clientConfigId: row.id,
      clientId: row.client_id,
      displayName: row.display_name,
      timezone: row.timezone,
      currency: row.currency,
      status: row.status,
      settings: row.settings,
      featureFlags: row.feature_flags,
      version: row.version,
      position: row.position,
      updatedAt: iso(row.updated_at) as string,
    };
  }

  async saveClientConfig(tx: Queryable, row: ClientConfigRow): Promise<void> {
    await tx.query(
      `INSERT INTO read_model.client_configs
         (id, client_id, display_name, timezone, currency, status, settings, feature_flags, updated_at, version, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET client_id = $2, display_name = $3, timezone = $4, currency = $5, status = $6,
         settings = $7, feature_flags = $8, updated_at = $9, version = $10, position = $11`,
      [
        row.clientConfigId,
        row.clientId,
        row.displayName,
        row.timezone,
        row.currency,
        row.status,
        JSON.stringify(row.settings),
        JSON.stringify(row.featureFlags),
        row.updatedAt,
        row.version,
        row.position,
      ],
    );
  }

  /**
   * Serialises every change to one client's overview (an advisory lock until the transaction
   * ends): the aggregates are then read after any earlier writer of the same client committed.
   */
  async lockClient(tx: Queryable, clientId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('read_model.client:' || $1, 0))`, [clientId]);
  }

  /** Recomputes the overview of `clientId` from its rows (call after lockClient). */
  async refreshOverview(tx: Queryable, clientId: string): Promise<void> {
    const current = await this.clientConfig(tx, { clientId });
    const [aggregates] = await tx.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object('kind', kind, 'status', status, 'count', n)), '[]')
            FROM (SELECT kind, status, count(*)::int AS n FROM read_model.connector_profiles
                   WHERE client_id = $1 GROUP BY kind, status) c) AS connectors,
         (SELECT coalesce(json_agg(json_build_object('status', status, 'count', n, 'totalMinor', total)), '[]')
            FROM (SELECT status, count(*)::int AS n, sum(total_minor)::text AS total FROM read_model.service_proposals
                   WHERE client_id = $1 GROUP BY status) p) AS proposals,
         (SELECT max(updated_at) FROM (
            SELECT max(updated_at) AS updated_at FROM read_model.connector_profiles WHERE client_id = $1
            UNION ALL SELECT max(updated_at) FROM read_model.service_proposals WHERE client_id = $1) a) AS last_activity_at,
         (SELECT coalesce(max(position), 0)::text FROM (
            SELECT max(position) AS position FROM read_model.connector_profiles WHERE client_id = $1
            UNION ALL SELECT max(position) FROM read_model.service_proposals WHERE client_id = $1) b) AS position`,
      [clientId],
    );
    const overview = overviewOf(clientId, current, {
      connectors: aggregates.connectors,
      proposals: aggregates.proposals,
      lastActivityAt: iso(aggregates.last_activity_at),
      position: aggregates.position,
    } satisfies ClientAggregates);
    await this.saveOverview(tx, overview);
  }

  /** Upserts a client's overview row (refreshOverview computes it; the bench's SQL-only baseline reuses the statement). */
  async saveOverview(tx: Queryable, overview: ClientOverviewRow): Promise<void> {
    await tx.query(
      `INSERT INTO read_model.client_overviews
         (client_id, client_config_id, display_name, timezone, currency, status, settings, feature_flags,
          config_version, connectors, proposals, accepted_total_minor, last_activity_at, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (client_id) DO UPDATE SET client_config_id = $2, display_name = $3, timezone = $4, currency = $5,
         status = $6, settings = $7, feature_flags = $8, config_version = $9, connectors = $10, proposals = $11,
         accepted_total_minor = $12, last_activity_at = $13, position = $14`,
      [
        overview.clientId,
        overview.clientConfigId,
        overview.displayName,
        overview.timezone,
        overview.currency,
        overview.status,
        overview.settings === null ? null : JSON.stringify(overview.settings),
        overview.featureFlags === null ? null : JSON.stringify(overview.featureFlags),
        overview.configVersion,
        JSON.stringify(overview.connectors),
        JSON.stringify(overview.proposals),
        overview.acceptedTotalMinor,
        overview.lastActivityAt,
        overview.position,
      ],
    );
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function toConnectorProfile(row: any): ConnectorProfileRow {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    config: row.config,
    tags: row.tags,
    secretNames: row.secret_names,
    registeredAt: iso(row.registered_at) as string,
    updatedAt: iso(row.updated_at) as string,
    version: row.version,
    position: String(row.position),
  };
}

export function toServiceProposal(row: any): ServiceProposalRow {
  return {
    id: row.id,
    clientId: row.client_id,
    title: row.title,
    currency: row.currency,
    status: row.status,
    lineItems: row.line_items,
    totalMinor: String(row.total_minor),
    validUntil: iso(row.valid_until) as string,
    rejectionReason: row.rejection_reason,
    draftedAt: iso(row.drafted_at) as string,
    submittedAt: iso(row.submitted_at),
    decidedAt: iso(row.decided_at),
    updatedAt: iso(row.updated_at) as string,
    version: row.version,
    position: String(row.position),
  };
}
