import { SchemaOwner } from '@analytics/persistence';
import { QUERY_API_MIGRATIONS } from '../../../migrations/query-api';
import { ProjectionCheckpointEntity } from './projections/projection-checkpoint.entity';

/** Everything the read side owns in the read database (schema `read_model`), and its migrations. */
export const queryApiSchema: SchemaOwner = {
  name: 'query-api',
  entities: [ProjectionCheckpointEntity],
  migrations: QUERY_API_MIGRATIONS,
};
