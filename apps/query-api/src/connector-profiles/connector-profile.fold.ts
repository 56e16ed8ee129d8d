import { ConnectorProfileRegistered, ConnectorProfileUpdated } from '@analytics/contracts';
import { ProjectedEvent, ProjectionError } from '../projections/projected-event';
import { instant } from '../shared/instants';

/** A connector profile in the read model: everything but the sealed secrets (only their names). */
export interface ConnectorProfileRow {
  id: string;
  clientId: string;
  name: string;
  kind: string;
  status: 'active' | 'disabled' | 'archived';
  config: Record<string, unknown>;
  tags: string[];
  secretNames: string[];
  registeredAt: string;
  updatedAt: string;
  version: number;
  position: string;
}

export function foldConnectorProfile(row: ConnectorProfileRow | null, event: ProjectedEvent): ConnectorProfileRow {
  if (event.type === 'connector-profile.registered') {
    if (row) throw new ProjectionError(`connector profile ${event.streamId} registered twice`);
    const data = event.data as ConnectorProfileRegistered['data'];
    return {
      id: event.streamId,
      clientId: data.clientId,
      name: data.name,
      kind: data.kind,
      status: 'active',
      config: data.config as Record<string, unknown>,
      tags: [...data.tags],
      secretNames: [...data.secretNames],
      registeredAt: instant(event.occurredAt),
      ...stamp(event),
    };
  }
  if (!row) throw new ProjectionError(`${event.type} for connector profile ${event.streamId}, never registered`);
  switch (event.type) {
    case 'connector-profile.updated': {
      // `secrets` (the ciphertext) is deliberately never read: only the names reach the read model.
      const { name, config, tags, secretNames } = event.data as ConnectorProfileUpdated['data'];
      return {
        ...row,
        ...(name !== undefined && { name }),
        ...(config !== undefined && { config: config as Record<string, unknown> }),
        ...(tags !== undefined && { tags: [...tags] }),
        ...(secretNames !== undefined && { secretNames: [...secretNames] }),
        ...stamp(event),
      };
    }
    case 'connector-profile.disabled':
      return { ...row, status: 'disabled', ...stamp(event) };
    case 'connector-profile.enabled':
      return { ...row, status: 'active', ...stamp(event) };
    case 'connector-profile.archived':
      return { ...row, status: 'archived', ...stamp(event) };
    default:
      throw new ProjectionError(`No connector-profile projection for ${event.type}`);
  }
}

function stamp(event: ProjectedEvent) {
  return { version: event.streamVersion, position: event.position, updatedAt: instant(event.occurredAt) };
}
