import {
  ServiceProposalAccepted,
  ServiceProposalDrafted,
  ServiceProposalLineItem,
  ServiceProposalRejected,
  ServiceProposalRevised,
} from '@analytics/contracts';
import { ProjectedEvent, ProjectionError } from '../projections/projected-event';
import { instant } from '../shared/instants';

export interface ProposalLine extends ServiceProposalLineItem {
  /** quantity x unitPriceMinor, exact, as a string of digits. */
  amountMinor: string;
}

export interface ServiceProposalRow {
  id: string;
  clientId: string;
  title: string;
  currency: string;
  status: 'draft' | 'submitted' | 'accepted' | 'rejected' | 'withdrawn';
  lineItems: ProposalLine[];
  /** Exact, a string of digits. */
  totalMinor: string;
  validUntil: string;
  rejectionReason: string | null;
  draftedAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  updatedAt: string;
  version: number;
  position: string;
}

export function foldServiceProposal(row: ServiceProposalRow | null, event: ProjectedEvent): ServiceProposalRow {
  if (event.type === 'service-proposal.drafted') {
    if (row) throw new ProjectionError(`service proposal ${event.streamId} drafted twice`);
    const data = event.data as ServiceProposalDrafted['data'];
    return {
      id: event.streamId,
      clientId: data.clientId,
      title: data.title,
      currency: data.currency,
      status: 'draft',
      ...priced(data.lineItems),
      validUntil: instant(data.validUntil),
      rejectionReason: null,
      draftedAt: instant(event.occurredAt),
      submittedAt: null,
      decidedAt: null,
      ...stamp(event),
    };
  }
  if (!row) throw new ProjectionError(`${event.type} for service proposal ${event.streamId}, never drafted`);
  switch (event.type) {
    case 'service-proposal.revised': {
      const data = event.data as ServiceProposalRevised['data'];
      return {
        ...row,
        title: data.title,
        ...priced(data.lineItems),
        validUntil: instant(data.validUntil),
        ...stamp(event),
      };
    }
    case 'service-proposal.submitted':
      return { ...row, status: 'submitted', submittedAt: instant(event.occurredAt), ...stamp(event) };
    case 'service-proposal.accepted': {
      const { acceptedAt } = event.data as ServiceProposalAccepted['data'];
      return { ...row, status: 'accepted', decidedAt: instant(acceptedAt), ...stamp(event) };
    }
    case 'service-proposal.rejected': {
      const { reason } = event.data as ServiceProposalRejected['data'];
      return {
        ...row,
        status: 'rejected',
        rejectionReason: reason,
        decidedAt: instant(event.occurredAt),
        ...stamp(event),
      };
    }
    case 'service-proposal.withdrawn':
      return { ...row, status: 'withdrawn', decidedAt: instant(event.occurredAt), ...stamp(event) };
    default:
      throw new ProjectionError(`No service-proposal projection for ${event.type}`);
  }
}

/**
 * Lines with their amounts and the total, computed with BigInt (exact beyond 2^53). The total
 * is recomputed from the lines rather than trusted from the event; the two agree by contract.
 */
function priced(lineItems: ServiceProposalLineItem[]): { lineItems: ProposalLine[]; totalMinor: string } {
  let total = 0n;
  const lines = lineItems.map((line) => {
    const amount = BigInt(line.quantity) * BigInt(line.unitPriceMinor);
    total += amount;
    return { ...line, amountMinor: amount.toString() };
  });
  return { lineItems: lines, totalMinor: total.toString() };
}

function stamp(event: ProjectedEvent) {
  return { version: event.streamVersion, position: event.position, updatedAt: instant(event.occurredAt) };
}
