import { Queryable } from '@analytics/persistence';
import { ClientConfigRow, foldClientConfig } from '../clients/client-overview.fold';
import { ConnectorProfileRow, foldConnectorProfile } from '../connector-profiles/connector-profile.fold';
import { foldServiceProposal, ServiceProposalRow } from '../service-proposals/service-proposal.fold';
import { ProjectedEvent, ProjectionError } from './projected-event';
import { ReadModelStore } from './read-model.store';

/** A folded stream as the engine handles it, whatever its type: every row belongs to a client. */
export interface StreamRow {
  clientId: string;
}

/**
 * How the events of one stream type become one read-model row per stream: the pure fold, and
 * the store's statements that load and save any number of those rows at once.
 */
export interface StreamProjection<Row extends StreamRow = StreamRow> {
  fold(row: Row | null, event: ProjectedEvent): Row;
  /** The rows of these streams that exist, by stream id. */
  load(tx: Queryable, streamIds: string[]): Promise<Map<string, Row>>;
  save(tx: Queryable, rows: Row[]): Promise<void>;
}

/** The read model's projections, by stream type. */
export function streamProjections(store: ReadModelStore): Map<string, StreamProjection> {
  const clientConfigs: StreamProjection<ClientConfigRow> = {
    fold: foldClientConfig,
    load: (tx, ids) => store.clientConfigs(tx, ids),
    save: (tx, rows) => store.saveClientConfigs(tx, rows),
  };
  const connectorProfiles: StreamProjection<ConnectorProfileRow> = {
    fold: foldConnectorProfile,
    load: (tx, ids) => store.connectorProfiles(tx, ids),
    save: (tx, rows) => store.saveConnectorProfiles(tx, rows),
  };
  const serviceProposals: StreamProjection<ServiceProposalRow> = {
    fold: foldServiceProposal,
    load: (tx, ids) => store.serviceProposals(tx, ids),
    save: (tx, rows) => store.saveServiceProposals(tx, rows),
  };
  return new Map<string, StreamProjection>([
    ['client-config', clientConfigs],
    ['connector-profile', connectorProfiles],
    ['service-proposal', serviceProposals],
  ]);
}

/** The projection of a stream type (a ProjectionError, which dead-letters the event, when there is none). */
export function projectionOf(projections: Map<string, StreamProjection>, streamType: string): StreamProjection {
  const projection = projections.get(streamType);
  if (!projection) throw new ProjectionError(`No projection for stream type ${streamType}`);
  return projection;
}
