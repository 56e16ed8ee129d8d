import { SchemaOwner } from '@analytics/persistence';
import { QUERY_API_MIGRATIONS } from '../../../migrations/query-api';
import { ClientConfigViewEntity } from './clients/client-config-view.entity';
import { ClientOverviewEntity } from './clients/client-overview.entity';
import { ConnectorProfileViewEntity } from './connector-profiles/connector-profile-view.entity';
import { ProjectionCheckpointEntity } from './projections/projection-checkpoint.entity';
import {
  AppliedEventEntity,
  DeadLetterEntity,
  LedgerHorizonEntity,
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
    LedgerHorizonEntity,
    StreamVersionEntity,
    PendingEventEntity,
    DeadLetterEntity,
    ClientConfigViewEntity,
    ClientOverviewEntity,
    ConnectorProfileViewEntity,
    ServiceProposalViewEntity,
  ],
  migrations: QUERY_API_MIGRATIONS,
  // The projections' prepared statements look rows up by `= ANY($1)` in tables that a rebuild or
  // a new read database fills from empty, and that are meant to stay in memory.
  sessionSettings: {
    // Plan each execution with its parameters: a generic plan, settled on after five executions
    // while the tables held a few rows, would scan them whole from then on (until an autovacuum
    // ANALYZE happens to invalidate it), each batch costing more than the last.
    plan_cache_mode: 'force_custom_plan',
    // Cached pages cost about as much read at random as in sequence (the value Postgres' docs
    // give for SSDs): with the default 4, looking up a batch's 200 event ids in the ledger's index
    // is priced above scanning the whole ledger, even at 50,000 rows (the spec next to this file).
    random_page_cost: '1.1',
  },
};
