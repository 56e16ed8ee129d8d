import { SERVICE_PROPOSAL_STREAM, ServiceProposalEvent } from '@analytics/contracts';
import { Queryable, SqlWrite } from '@analytics/persistence';
import { Clock } from '../shared/clock';
import { EventSourcedStream, StreamCommand } from '../shared/event-sourced-stream';
import {
  decideServiceProposal,
  evolveServiceProposal,
  initialServiceProposalState,
  ProposalClient,
  ServiceProposalCommand,
  ServiceProposalState,
} from './domain/service-proposal.decider';

/** The service-proposal stream and its write-model row (`service_proposals`). */
export const serviceProposalStream: EventSourcedStream<ServiceProposalState, ServiceProposalEvent> = {
  streamType: SERVICE_PROPOSAL_STREAM,
  label: 'service proposal',
  initialState: initialServiceProposalState,
  evolve: evolveServiceProposal,
  writeModel,
};

/** A draft command before its client is looked up: the lookup happens in the command's transaction. */
export type ServiceProposalRequest =
  | Omit<Extract<ServiceProposalCommand, { type: 'draft' }>, 'client'>
  | Exclude<ServiceProposalCommand, { type: 'draft' }>;

export function serviceProposalCommand(
  request: ServiceProposalRequest,
  clock: Clock,
): StreamCommand<ServiceProposalState, ServiceProposalEvent> {
  return {
    name: request.type,
    creates: request.type === 'draft',
    readsOtherTables: request.type === 'draft',
    decide: async (state, db) => {
      const command: ServiceProposalCommand =
        request.type === 'draft' ? { ...request, client: await clientOf(db, request.clientId) } : request;
      return decideServiceProposal(command, state, clock.now());
    },
  };
}

/**
 * The client named by a slug, read in the command's transaction. FOR SHARE holds the row until
 * commit, so a concurrent archive of the client waits: "the client is active" holds at commit.
 */
async function clientOf(db: Queryable, clientId: string): Promise<ProposalClient | undefined> {
  const rows: { status: ProposalClient['status']; currency: string }[] = await db.query(
    `SELECT status, currency FROM client_configs WHERE client_id = $1 FOR SHARE`,
    [clientId],
  );
  return rows[0];
}

function writeModel(id: string, state: ServiceProposalState, version: number): SqlWrite | undefined {
  if (state.status === 'absent') return undefined;
  return (param) =>
    `INSERT INTO service_proposals
       (id, client_id, title, currency, line_items, total_minor, status, valid_until, rejection_reason, version)
     VALUES (${param(id)}, ${param(state.clientId)}, ${param(state.title)}, ${param(state.currency)},
             ${param(JSON.stringify(state.lineItems))}, ${param(state.totalMinor)},
             ${param(state.status)}, ${param(state.validUntil)}, ${param(state.rejectionReason)},
             ${param(version)})
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, line_items = excluded.line_items,
       total_minor = excluded.total_minor, status = excluded.status, valid_until = excluded.valid_until,
       rejection_reason = excluded.rejection_reason, version = excluded.version, updated_at = now()`;
}
