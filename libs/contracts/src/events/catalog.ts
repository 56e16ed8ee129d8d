import { clientConfigContract, clientConfigUpcasters } from './client-config.events';
import { connectorProfileContract, connectorProfileUpcasters } from './connector-profile.events';
import { StreamContract } from './event-schema';
import { serviceProposalContract, serviceProposalUpcasters } from './service-proposal.events';
import { UpcasterRegistry } from './upcasting';

/** Every stream's event contract: what is published, and what can still be read. */
export const STREAM_CONTRACTS: readonly StreamContract[] = [
  clientConfigContract,
  connectorProfileContract,
  serviceProposalContract,
];

/** Reads any stored event as its current schema version. */
export const upcasters = new UpcasterRegistry([
  ...clientConfigUpcasters,
  ...connectorProfileUpcasters,
  ...serviceProposalUpcasters,
]);
