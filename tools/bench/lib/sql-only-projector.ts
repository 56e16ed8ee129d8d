/**
 * The SQL-only baselines of the read-side figures: the read models' final-state writes of a
 * sequence of events, with pg straight on a read_model-shaped schema and nothing else.
 *
 * Per batch, ONE transaction: the events folded in memory with the query-api folds (the rows are
 * kept in memory, never read back), then ONE upsert per table of the final rows of the streams
 * the batch changed, and one upsert of the overviews of the clients it touched (computed in
 * memory from the clients' rows). The statements are ReadModelStore's own set-based ones, the
 * engine's too, so both sides write the same rows with the same SQL into the same tables and
 * indexes (the read side's migrations): this is the floor of the engine's writes.
 *
 * Left out, compared with the projection engine: decoding beyond JSON.parse (no JSON Schema
 * validation, no upcasting, no `__proto__` check), the applied_events ledger (dedupe),
 * stream_versions and pending_events (per-stream order), the checkpoint row and its
 * lock, the switch lock and the per-client advisory locks, reading each row before folding it,
 * the overview's aggregate query, dead letters, metrics and the cache invalidation after commit.
 */
import { Queryable } from '@analytics/persistence';
import { Pool } from 'pg';
import {
  aggregatesOf,
  ClientConfigRow,
  foldClientConfig,
  overviewOf,
} from '../../../apps/query-api/src/clients/client-overview.fold';
import {
  ConnectorProfileRow,
  foldConnectorProfile,
} from '../../../apps/query-api/src/connector-profiles/connector-profile.fold';
import { ProjectedEvent } from '../../../apps/query-api/src/projections/projected-event';
import { ReadModelStore } from '../../../apps/query-api/src/projections/read-model.store';
import {
  foldServiceProposal,
  ServiceProposalRow,
} from '../../../apps/query-api/src/service-proposals/service-proposal.fold';

export class SqlOnlyProjector {
  private readonly store = new ReadModelStore();
  private readonly configs = new Map<string, ClientConfigRow>();
  private readonly profiles = new Map<string, ConnectorProfileRow>();
  private readonly proposals = new Map<string, ServiceProposalRow>();
  /** Per client id: its config, and the ids of its profiles and proposals (what an overview sums up). */
  private readonly clients = new Map<
    string,
    { config: ClientConfigRow | null; profiles: Set<string>; proposals: Set<string> }
  >();

  constructor(private readonly pool: Pool) {}

  /** Applies `events` (consecutive events of a partition or lane, in order) in one transaction. */
  async applyBatch(events: ProjectedEvent[]): Promise<void> {
    const changed = { configs: new Set<string>(), profiles: new Set<string>(), proposals: new Set<string>() };
    const touched = new Set<string>();
    for (const event of events) touched.add(this.fold(event, changed));
    const connection = await this.pool.connect();
    const tx: Queryable = {
      query: async (sql: string, params?: unknown[]) => (await connection.query(sql, params)).rows,
    };
    try {
      await connection.query('BEGIN');
      await this.store.saveClientConfigs(
        tx,
        [...changed.configs].map((id) => this.configs.get(id)!),
      );
      await this.store.saveConnectorProfiles(
        tx,
        [...changed.profiles].map((id) => this.profiles.get(id)!),
      );
      await this.store.saveServiceProposals(
        tx,
        [...changed.proposals].map((id) => this.proposals.get(id)!),
      );
      await this.store.saveOverviews(
        tx,
        [...touched].sort().map((clientId) => this.overviewOf(clientId)),
      );
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  /** Folds the event into its row in memory and notes the row as changed; returns the row's client id. */
  private fold(
    event: ProjectedEvent,
    changed: { configs: Set<string>; profiles: Set<string>; proposals: Set<string> },
  ): string {
    switch (event.streamType) {
      case 'client-config': {
        const row = foldClientConfig(this.configs.get(event.streamId) ?? null, event);
        this.configs.set(event.streamId, row);
        this.clientOf(row.clientId).config = row;
        changed.configs.add(event.streamId);
        return row.clientId;
      }
      case 'connector-profile': {
        const row = foldConnectorProfile(this.profiles.get(event.streamId) ?? null, event);
        this.profiles.set(event.streamId, row);
        this.clientOf(row.clientId).profiles.add(row.id);
        changed.profiles.add(event.streamId);
        return row.clientId;
      }
      case 'service-proposal': {
        const row = foldServiceProposal(this.proposals.get(event.streamId) ?? null, event);
        this.proposals.set(event.streamId, row);
        this.clientOf(row.clientId).proposals.add(row.id);
        changed.proposals.add(event.streamId);
        return row.clientId;
      }
      default:
        throw new Error(`No projection for stream type ${event.streamType}`);
    }
  }

  private clientOf(clientId: string) {
    let client = this.clients.get(clientId);
    if (!client) {
      client = { config: null, profiles: new Set(), proposals: new Set() };
      this.clients.set(clientId, client);
    }
    return client;
  }

  private overviewOf(clientId: string) {
    const client = this.clientOf(clientId);
    const profiles = [...client.profiles].map((id) => this.profiles.get(id)!);
    const proposals = [...client.proposals].map((id) => this.proposals.get(id)!);
    return overviewOf(clientId, client.config, aggregatesOf(profiles, proposals));
  }
}
