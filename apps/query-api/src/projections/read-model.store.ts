import { Queryable } from '@analytics/persistence';
import { ClientConfigRow, ClientOverviewRow } from '../clients/client-overview.fold';
import { ConnectorProfileRow } from '../connector-profiles/connector-profile.fold';
import { ServiceProposalRow } from '../service-proposals/service-proposal.fold';

const iso = (value: Date | string | null): string | null =>
  value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString();

/** A read-model table as the batch upserts write it: name, primary key, and per column its SQL type and row field. */
interface TableShape<Row> {
  table: string;
  key: string;
  columns: Record<string, [type: string, field: keyof Row]>;
}

/**
 * Upserts any number of rows of one table with ONE statement, the rows handed over as ONE jsonb
 * array of records keyed by column name: the text is the same for every batch size (a prepared
 * statement plans it once), and array columns and jsonb values need no flattening, as unnest()
 * would.
 */
class BatchUpsert<Row> {
  private readonly sql: string;
  private readonly columns: [column: string, field: keyof Row][];

  constructor({ table, key, columns }: TableShape<Row>) {
    const names = Object.keys(columns);
    this.columns = names.map((name) => [name, columns[name][1]]);
    this.sql = `INSERT INTO ${table} (${names.join(', ')})
      SELECT ${names.join(', ')}
        FROM jsonb_to_recordset($1::jsonb) AS r(${names.map((name) => `${name} ${columns[name][0]}`).join(', ')})
      ON CONFLICT (${key}) DO UPDATE SET ${names
        .filter((name) => name !== key)
        .map((name) => `${name} = EXCLUDED.${name}`)
        .join(', ')}`;
  }

  async run(tx: Queryable, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const records = rows.map((row) => Object.fromEntries(this.columns.map(([column, field]) => [column, row[field]])));
    await tx.query(this.sql, [JSON.stringify(records)]);
  }
}

const connectorProfiles = new BatchUpsert<ConnectorProfileRow>({
  table: 'read_model.connector_profiles',
  key: 'id',
  columns: {
    id: ['uuid', 'id'],
    client_id: ['text', 'clientId'],
    name: ['text', 'name'],
    kind: ['text', 'kind'],
    status: ['text', 'status'],
    config: ['jsonb', 'config'],
    tags: ['text[]', 'tags'],
    secret_names: ['text[]', 'secretNames'],
    registered_at: ['timestamptz', 'registeredAt'],
    updated_at: ['timestamptz', 'updatedAt'],
    version: ['integer', 'version'],
    position: ['bigint', 'position'],
  },
});

const serviceProposals = new BatchUpsert<ServiceProposalRow>({
  table: 'read_model.service_proposals',
  key: 'id',
  columns: {
    id: ['uuid', 'id'],
    client_id: ['text', 'clientId'],
    title: ['text', 'title'],
    currency: ['text', 'currency'],
    status: ['text', 'status'],
    line_items: ['jsonb', 'lineItems'],
    total_minor: ['bigint', 'totalMinor'],
    valid_until: ['timestamptz', 'validUntil'],
    rejection_reason: ['text', 'rejectionReason'],
    drafted_at: ['timestamptz', 'draftedAt'],
    submitted_at: ['timestamptz', 'submittedAt'],
    decided_at: ['timestamptz', 'decidedAt'],
    updated_at: ['timestamptz', 'updatedAt'],
    version: ['integer', 'version'],
    position: ['bigint', 'position'],
  },
});

const clientConfigs = new BatchUpsert<ClientConfigRow>({
  table: 'read_model.client_configs',
  key: 'id',
  columns: {
    id: ['uuid', 'clientConfigId'],
    client_id: ['text', 'clientId'],
    display_name: ['text', 'displayName'],
    timezone: ['text', 'timezone'],
    currency: ['text', 'currency'],
    status: ['text', 'status'],
    settings: ['jsonb', 'settings'],
    feature_flags: ['jsonb', 'featureFlags'],
    updated_at: ['timestamptz', 'updatedAt'],
    version: ['integer', 'version'],
    position: ['bigint', 'position'],
  },
});

const clientOverviews = new BatchUpsert<ClientOverviewRow>({
  table: 'read_model.client_overviews',
  key: 'client_id',
  columns: {
    client_id: ['text', 'clientId'],
    client_config_id: ['uuid', 'clientConfigId'],
    display_name: ['text', 'displayName'],
    timezone: ['text', 'timezone'],
    currency: ['text', 'currency'],
    status: ['text', 'status'],
    settings: ['jsonb', 'settings'],
    feature_flags: ['jsonb', 'featureFlags'],
    config_version: ['integer', 'configVersion'],
    connectors: ['jsonb', 'connectors'],
    proposals: ['jsonb', 'proposals'],
    accepted_total_minor: ['numeric', 'acceptedTotalMinor'],
    last_activity_at: ['timestamptz', 'lastActivityAt'],
    position: ['bigint', 'position'],
  },
});

/**
 * Clients' overviews computed from their rows and upserted, in ONE statement: the SQL form of
 * `overviewOf(clientId, latest config, aggregatesOf(profiles, proposals))` (client-overview.fold.ts,
 * which the tests hold it to). Postgres does the counting and the JSON, so no row of a client
 * travels to the engine and back.
 */
const REFRESH_OVERVIEWS = `
  INSERT INTO read_model.client_overviews (client_id, client_config_id, display_name, timezone, currency, status,
    settings, feature_flags, config_version, connectors, proposals, accepted_total_minor, last_activity_at, position)
  SELECT c.client_id, cfg.id, cfg.display_name, cfg.timezone, cfg.currency, cfg.status, cfg.settings,
         cfg.feature_flags, coalesce(cfg.version, 0),
         jsonb_build_object('total', coalesce(cp.total, 0), 'byKind', coalesce(cp.by_kind, '{}'),
                            'byStatus', coalesce(cp.by_status, '{}')),
         jsonb_build_object('total', coalesce(sp.total, 0), 'byStatus', coalesce(sp.by_status, '{}')),
         coalesce(sp.accepted, 0),
         greatest(cfg.updated_at, cp.updated_at, sp.updated_at),
         greatest(cfg.position, cp.position, sp.position, 0)
    FROM unnest($1::text[]) AS c(client_id)
    -- A client may have several config streams: its overview shows the latest.
    LEFT JOIN LATERAL (
      SELECT id, display_name, timezone, currency, status, settings, feature_flags, version, updated_at, position
        FROM read_model.client_configs WHERE client_id = c.client_id ORDER BY position DESC LIMIT 1
    ) cfg ON true
    -- Each client's rows are read once, into groups; the groups are then summed up two ways.
    LEFT JOIN LATERAL (
      WITH g AS (
        SELECT kind, status, count(*)::int AS n, max(updated_at) AS updated_at, max(position) AS position
          FROM read_model.connector_profiles WHERE client_id = c.client_id GROUP BY kind, status)
      SELECT sum(n)::int AS total, max(updated_at) AS updated_at, max(position) AS position,
             (SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, sum(n)::int AS n FROM g GROUP BY kind) k) AS by_kind,
             (SELECT jsonb_object_agg(status, n) FROM (SELECT status, sum(n)::int AS n FROM g GROUP BY status) s)
               AS by_status
        FROM g
    ) cp ON true
    LEFT JOIN LATERAL (
      SELECT sum(n)::int AS total, max(updated_at) AS updated_at, max(position) AS position,
             jsonb_object_agg(status, n) AS by_status, sum(total_minor) FILTER (WHERE status = 'accepted') AS accepted
        FROM (SELECT status, count(*)::int AS n, sum(total_minor) AS total_minor, max(updated_at) AS updated_at,
                     max(position) AS position
                FROM read_model.service_proposals WHERE client_id = c.client_id GROUP BY status) g
    ) sp ON true
  ON CONFLICT (client_id) DO UPDATE SET client_config_id = EXCLUDED.client_config_id,
    display_name = EXCLUDED.display_name, timezone = EXCLUDED.timezone, currency = EXCLUDED.currency,
    status = EXCLUDED.status, settings = EXCLUDED.settings, feature_flags = EXCLUDED.feature_flags,
    config_version = EXCLUDED.config_version, connectors = EXCLUDED.connectors, proposals = EXCLUDED.proposals,
    accepted_total_minor = EXCLUDED.accepted_total_minor, last_activity_at = EXCLUDED.last_activity_at,
    position = EXCLUDED.position`;

const CLIENT_CONFIG_COLUMNS = `id, client_id, display_name, timezone, currency, status, settings, feature_flags,
  updated_at, version, position::text AS position`;

/**
 * The SQL edge of the projections: loads the rows events fold into, saves the folded rows, and
 * recomputes clients' overviews from their rows. Every method takes any number of rows (one
 * statement each) and runs in the caller's transaction.
 */
export class ReadModelStore {
  async connectorProfiles(tx: Queryable, ids: string[]): Promise<Map<string, ConnectorProfileRow>> {
    const rows = await tx.query(
      `SELECT id, client_id, name, kind, status, config, tags, secret_names, registered_at, updated_at, version,
              position::text AS position
         FROM read_model.connector_profiles WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row: { id: string }) => [row.id, toConnectorProfile(row)]));
  }

  async saveConnectorProfiles(tx: Queryable, rows: ConnectorProfileRow[]): Promise<void> {
    await connectorProfiles.run(tx, rows);
  }

  async serviceProposals(tx: Queryable, ids: string[]): Promise<Map<string, ServiceProposalRow>> {
    const rows = await tx.query(
      `SELECT id, client_id, title, currency, status, line_items, total_minor::text AS total_minor, valid_until,
              rejection_reason, drafted_at, submitted_at, decided_at, updated_at, version, position::text AS position
         FROM read_model.service_proposals WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row: { id: string }) => [row.id, toServiceProposal(row)]));
  }

  async saveServiceProposals(tx: Queryable, rows: ServiceProposalRow[]): Promise<void> {
    await serviceProposals.run(tx, rows);
  }

  /** Folded client-config streams, by stream id. */
  async clientConfigs(tx: Queryable, streamIds: string[]): Promise<Map<string, ClientConfigRow>> {
    const rows = await tx.query(
      `SELECT ${CLIENT_CONFIG_COLUMNS} FROM read_model.client_configs WHERE id = ANY($1::uuid[])`,
      [streamIds],
    );
    return new Map(rows.map((row: { id: string }) => [row.id, toClientConfig(row)]));
  }

  async saveClientConfigs(tx: Queryable, rows: ClientConfigRow[]): Promise<void> {
    await clientConfigs.run(tx, rows);
  }

  /**
   * Recomputes these clients' overviews from their rows (REFRESH_OVERVIEWS), under per-client
   * advisory locks held until the transaction ends: transactions touching the same clients
   * serialise here, and each counts the rows the earlier ones committed. Callers pass the ids
   * sorted, so that two writers never wait on each other in a cycle.
   *
   * Two statements, issued together (one round trip on a pipelined connection, and they may ride
   * with the COMMIT): the locks, then the upsert, whose snapshot is taken after the locks.
   */
  refreshOverviews(tx: Queryable, sortedClientIds: string[]): Promise<void> {
    if (sortedClientIds.length === 0) return Promise.resolve();
    return Promise.all([
      // unnest() returns the elements in array order, and the locks are taken row by row.
      tx.query(
        `SELECT count(*) FROM (
           SELECT pg_advisory_xact_lock(hashtextextended('read_model.client:' || id, 0)) FROM unnest($1::text[]) AS c(id)
         ) AS locked`,
        [sortedClientIds],
      ),
      tx.query(REFRESH_OVERVIEWS, [sortedClientIds]),
    ]).then(() => undefined);
  }

  /** Upserts overview rows computed elsewhere (the bench's SQL-only baseline computes them in memory). */
  async saveOverviews(tx: Queryable, overviews: ClientOverviewRow[]): Promise<void> {
    await clientOverviews.run(tx, overviews);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function toClientConfig(row: any): ClientConfigRow {
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
    position: String(row.position),
    updatedAt: iso(row.updated_at) as string,
  };
}

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
