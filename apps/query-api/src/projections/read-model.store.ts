import { Queryable } from '@analytics/persistence';
import { ClientAggregates, ClientConfigRow, ClientOverviewRow, overviewOf } from '../clients/client-overview.fold';
import { laterOf, maxPosition } from '../shared/instants';
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

/** A group of one client's connector profiles or service proposals, as overviewsOf counts them. */
interface OverviewGroup {
  client_id: string;
  source: 'connector' | 'proposal';
  kind: string | null;
  status: string;
  n: number;
  total_minor: string | null;
  /** ISO 8601 (UTC, milliseconds), printed by Postgres: thousands of group rows need no Date each. */
  updated_at: string;
  position: string;
}

/** A group's latest update in the form `instant()` stores (the read models keep milliseconds). */
const LATEST_UPDATE = `to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

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
   * The overviews of these clients computed from their rows, under per-client advisory locks
   * held until the transaction ends: transactions touching the same clients serialise here, and
   * each reads the rows the earlier ones committed. Callers pass the ids sorted, so that two
   * writers never wait on each other in a cycle.
   *
   * The lock and the two reads are issued together (one round trip on a pipelined connection);
   * Postgres runs them in order, so the reads, statements of their own, start after the locks.
   */
  async overviewsOf(tx: Queryable, sortedClientIds: string[]): Promise<ClientOverviewRow[]> {
    if (sortedClientIds.length === 0) return [];
    const [, configs, groups] = await Promise.all([
      // unnest() returns the elements in array order, and the locks are taken row by row.
      tx.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('read_model.client:' || id, 0)) FROM unnest($1::text[]) AS c(id)`,
        [sortedClientIds],
      ),
      // A client may have several config streams: its overview shows the latest.
      tx.query(
        `SELECT DISTINCT ON (client_id) ${CLIENT_CONFIG_COLUMNS}
           FROM read_model.client_configs WHERE client_id = ANY($1::text[])
          ORDER BY client_id, client_configs.position DESC`,
        [sortedClientIds],
      ) as Promise<Record<string, unknown>[]>,
      // The counts of each client's rows by group, both tables in one statement, each row read once.
      tx.query(
        `SELECT client_id, 'connector' AS source, kind, status, count(*)::int AS n, NULL::text AS total_minor,
                ${LATEST_UPDATE} AS updated_at, max(position)::text AS position
           FROM read_model.connector_profiles WHERE client_id = ANY($1::text[]) GROUP BY client_id, kind, status
         UNION ALL
         SELECT client_id, 'proposal', NULL, status, count(*)::int, sum(total_minor)::text,
                ${LATEST_UPDATE}, max(position)::text
           FROM read_model.service_proposals WHERE client_id = ANY($1::text[]) GROUP BY client_id, status`,
        [sortedClientIds],
      ) as Promise<OverviewGroup[]>,
    ]);
    const configOf = new Map(configs.map((row) => [row.client_id as string, toClientConfig(row)]));
    const aggregates = new Map<string, ClientAggregates>(
      sortedClientIds.map((clientId) => [
        clientId,
        { connectors: [], proposals: [], lastActivityAt: null, position: '0' },
      ]),
    );
    for (const group of groups) {
      const client = aggregates.get(group.client_id)!;
      if (group.source === 'connector') {
        client.connectors.push({ kind: group.kind!, status: group.status, count: group.n });
      } else {
        client.proposals.push({ status: group.status, count: group.n, totalMinor: group.total_minor! });
      }
      client.lastActivityAt = laterOf(client.lastActivityAt, group.updated_at);
      client.position = maxPosition(client.position, group.position);
    }
    return sortedClientIds.map((clientId) =>
      overviewOf(clientId, configOf.get(clientId) ?? null, aggregates.get(clientId)!),
    );
  }

  /** Upserts clients' overview rows (overviewsOf computes them; the bench's SQL-only baseline reuses the statement). */
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
