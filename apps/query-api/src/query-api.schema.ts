import { SchemaOwner } from '@analytics/persistence';
import { QUERY_API_MIGRATIONS } from '../../../migrations/query-api';
import { ClientConfigViewEntity } from './clients/client-config-view.entity';
import { ClientOverviewEntity } from './clients/client-overview.entity';
import { ConnectorProfileViewEntity } from './connector-profiles/connector-profile-view.entity';
import { ProjectionCheckpointEntity } from './projections/projection-checkpoint.entity';
import {
  AppliedEventEntity,
  DeadLetterEntity,
  PendingEventEntity,
  StreamVersionEntity,
} from './projections/projection-ledger.entities';
import { ServiceProposalViewEntity } from './service-proposals/service-proposal-view.entity';

/** Everything the read side owns in the read database (schema `read_model`), and its migrations. */
export const queryApiSchema: SchemaOwner = {
  name: 'query-api',
  entities: [
    ProjectionCheckpointEntity,
    AppliedEventEntity,
    StreamVersionEntity,
    PendingEventEntity,
    DeadLetterEntity,
    ClientConfigViewEntity,
    ClientOverviewEntity,
    ConnectorProfileViewEntity,
    ServiceProposalViewEntity,
  ],
  migrations: QUERY_API_MIGRATIONS,
};
