import { CreateReadModel1795646400000 } from './1795646400000-create-read-model';
import { ProjectionsAndReadModels1795655597508 } from './1795655597508-projections-and-read-models';
import { AppliedEventsPositionIndex1795700000000 } from './1795700000000-applied-events-position-index';
import { AppliedEventsKeyedByPosition1795900000000 } from './1795900000000-applied-events-keyed-by-position';
import { LedgerHorizon1796323804420 } from './1796323804420-ledger-horizon';

/** In order. Listed explicitly (not globbed) so the bundled app can run them too. */
export const QUERY_API_MIGRATIONS = [
  CreateReadModel1795646400000,
  ProjectionsAndReadModels1795655597508,
  AppliedEventsPositionIndex1795700000000,
  AppliedEventsKeyedByPosition1795900000000,
  LedgerHorizon1796323804420,
];
