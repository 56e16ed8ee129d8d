import {
  MAX_TOTAL_MINOR,
  ServiceProposalDrafted,
  ServiceProposalEvent,
  ServiceProposalLineItem,
} from '@analytics/contracts';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';

/** What a proposal holds: exactly what its draft records (revisions replace parts of it). */
type ProposalDetails = ServiceProposalDrafted['data'];

export type ProposalStatus = 'draft' | 'submitted' | 'accepted' | 'rejected' | 'withdrawn';

export type ServiceProposalState =
  | { status: 'absent' }
  | ({ status: ProposalStatus; rejectionReason: string | null; acceptedAt: string | null } & ProposalDetails);

/** The client a proposal is drafted for, as read from `client_configs` in the command's transaction. */
export interface ProposalClient {
  status: 'active' | 'archived';
  currency: string;
}

export type ServiceProposalCommand =
  | {
      type: 'draft';
      clientId: string;
      title: string;
      lineItems: ServiceProposalLineItem[];
      validUntil: string;
      /** The client named by clientId; undefined when there is none. */
      client: ProposalClient | undefined;
    }
  | { type: 'revise'; title?: string; lineItems?: ServiceProposalLineItem[]; validUntil?: string }
  | { type: 'submit' }
  | { type: 'accept' }
  | { type: 'reject'; reason: string }
  | { type: 'withdraw' };

export const initialServiceProposalState: ServiceProposalState = { status: 'absent' };

export function evolveServiceProposal(state: ServiceProposalState, event: ServiceProposalEvent): ServiceProposalState {
  if (event.type === 'service-proposal.drafted') {
    return { status: 'draft', ...event.data, rejectionReason: null, acceptedAt: null };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'service-proposal.revised':
      return { ...state, ...event.data };
    case 'service-proposal.submitted':
      return { ...state, status: 'submitted' };
    case 'service-proposal.accepted':
      return { ...state, status: 'accepted', acceptedAt: event.data.acceptedAt };
    case 'service-proposal.rejected':
      return { ...state, status: 'rejected', rejectionReason: event.data.reason };
    case 'service-proposal.withdrawn':
      return { ...state, status: 'withdrawn' };
  }
}

/**
 * Business rules of a service proposal: the events a command produces, or why it can't.
 * Pure: the time (`now`) and the client are inputs, read by the caller.
 */
export function decideServiceProposal(
  command: ServiceProposalCommand,
  state: ServiceProposalState,
  now: Date,
): ServiceProposalEvent[] {
  if (command.type === 'draft') {
    if (state.status !== 'absent') throw new RuleViolationError('already-exists', 'The proposal exists');
    const { client } = command;
    if (!client) throw new UnprocessableError('client-not-found', `There is no client ${command.clientId}`);
    if (client.status === 'archived') {
      throw new RuleViolationError('client-archived', `Client ${command.clientId} is archived`);
    }
    const validUntil = futureInstant(command.validUntil, now);
    const lineItems = command.lineItems.map(normalizeLineItem);
    const data = {
      clientId: command.clientId,
      title: command.title,
      currency: client.currency,
      lineItems,
      totalMinor: totalMinorOf(lineItems),
      validUntil,
    };
    return [{ type: 'service-proposal.drafted', schemaVersion: 1, data }];
  }
  if (state.status === 'absent') throw new RuleViolationError('not-created', 'The proposal does not exist');
  switch (command.type) {
    case 'revise': {
      requireStatus(state, 'draft', 'proposal-not-draft', 'Only a draft proposal can be revised');
      const title = command.title ?? state.title;
      const lineItems = command.lineItems?.map(normalizeLineItem) ?? state.lineItems;
      const validUntil = command.validUntil === undefined ? state.validUntil : futureInstant(command.validUntil, now);
      const unchanged =
        title === state.title &&
        validUntil === state.validUntil &&
        JSON.stringify(lineItems) === JSON.stringify(state.lineItems.map(normalizeLineItem));
      // Nothing would change: nothing happened, nothing to record.
      if (unchanged) return [];
      const data = { title, lineItems, totalMinor: totalMinorOf(lineItems), validUntil };
      return [{ type: 'service-proposal.revised', schemaVersion: 1, data }];
    }
    case 'submit':
      requireStatus(state, 'draft', 'proposal-not-draft', 'Only a draft proposal can be submitted');
      if (isExpired(state.validUntil, now)) {
        throw new RuleViolationError('proposal-expired', 'The proposal is past its validUntil; revise it first');
      }
      return [{ type: 'service-proposal.submitted', schemaVersion: 1, data: {} }];
    case 'accept':
      requireStatus(state, 'submitted', 'proposal-not-submitted', 'Only a submitted proposal can be accepted');
      if (isExpired(state.validUntil, now)) {
        throw new RuleViolationError('proposal-expired', `The proposal expired at ${state.validUntil}`);
      }
      return [{ type: 'service-proposal.accepted', schemaVersion: 1, data: { acceptedAt: now.toISOString() } }];
    case 'reject': {
      requireStatus(state, 'submitted', 'proposal-not-submitted', 'Only a submitted proposal can be rejected');
      const { reason } = command;
      if (!/\S/.test(reason) || reason.length > 1000) {
        throw new UnprocessableError('rejection-reason-invalid', 'A rejection needs a reason of 1 to 1000 characters');
      }
      return [{ type: 'service-proposal.rejected', schemaVersion: 1, data: { reason } }];
    }
    case 'withdraw':
      if (state.status !== 'draft' && state.status !== 'submitted') {
        throw new RuleViolationError('proposal-not-open', `A ${state.status} proposal cannot be withdrawn`);
      }
      return [{ type: 'service-proposal.withdrawn', schemaVersion: 1, data: {} }];
  }
}

/**
 * The exact total in minor units, as a string of digits: sum of quantity x unitPriceMinor,
 * computed with BigInt (one line alone may exceed 2^53). Refused above a signed 64-bit integer.
 */
export function totalMinorOf(lineItems: readonly ServiceProposalLineItem[]): string {
  const total = lineItems.reduce((sum, item) => sum + BigInt(item.quantity) * BigInt(item.unitPriceMinor), 0n);
  if (total > MAX_TOTAL_MINOR) {
    throw new UnprocessableError('total-too-large', `The total must not exceed ${MAX_TOTAL_MINOR} minor units`);
  }
  return total.toString();
}

/** A line item with exactly its four members, in a fixed order (as recorded in events). */
function normalizeLineItem({ sku, description, quantity, unitPriceMinor }: ServiceProposalLineItem) {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || !Number.isSafeInteger(unitPriceMinor) || unitPriceMinor < 0) {
    throw new UnprocessableError('line-item-invalid', `Line ${sku}: quantity and unit price must be whole numbers`);
  }
  return { sku, description, quantity, unitPriceMinor };
}

function requireStatus(
  state: { status: ProposalStatus },
  expected: ProposalStatus,
  code: string,
  message: string,
): void {
  if (state.status !== expected) throw new RuleViolationError(code, `${message} (it is ${state.status})`);
}

/** The instant as canonical UTC ISO 8601; it must lie after `now`. */
function futureInstant(value: string, now: Date): string {
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new UnprocessableError('valid-until-invalid', 'validUntil is not a date');
  if (instant.getTime() <= now.getTime()) {
    throw new UnprocessableError('valid-until-not-future', 'validUntil must be in the future');
  }
  return instant.toISOString();
}

/** Valid up to and including validUntil. */
function isExpired(validUntil: string, now: Date): boolean {
  return now.getTime() > new Date(validUntil).getTime();
}
