import { Static, Type } from '@sinclair/typebox';
import { closedObject, eventSchema, StreamContract } from './event-schema';
import { Upcaster } from './upcasting';

/**
 * Events of the `service-proposal` stream. Persisted and published: type strings and shapes are a
 * contract; change a shape with a new schema version and an upcaster from the old one.
 *
 * Money is in minor units (cents) of the client's currency. `totalMinor` is a STRING of digits:
 * one line may reach 10^6 x 10^12 = 10^18, far above 2^53, where JSON numbers (IEEE doubles in
 * JavaScript and most JSON parsers) silently lose precision. A string keeps the total exact for
 * every consumer; parse it with BigInt (or a decimal type). It fits a signed 64-bit integer
 * (Postgres bigint): larger totals are refused. Per-line values stay JSON integers: both are
 * capped well below 2^53.
 */
export const SERVICE_PROPOSAL_STREAM = 'service-proposal' as const;

/** Largest total a proposal may have: the largest signed 64-bit integer (Postgres bigint). */
export const MAX_TOTAL_MINOR = 9_223_372_036_854_775_807n;
export const MAX_LINE_ITEMS = 100;
export const MAX_QUANTITY = 1_000_000;
export const MAX_UNIT_PRICE_MINOR = 1_000_000_000_000;

export const SKU_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$';

export const ServiceProposalLineItemSchema = closedObject(
  {
    sku: Type.String({ pattern: SKU_PATTERN, minLength: 1, maxLength: 64 }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }),
    unitPriceMinor: Type.Integer({ minimum: 0, maximum: MAX_UNIT_PRICE_MINOR, description: 'Minor units' }),
  },
  'One line of a proposal; its amount is quantity x unitPriceMinor',
);
export type ServiceProposalLineItem = Static<typeof ServiceProposalLineItemSchema>;

const LineItems = Type.Array(ServiceProposalLineItemSchema, { minItems: 1, maxItems: MAX_LINE_ITEMS });
const TotalMinor = Type.String({
  pattern: '^(0|[1-9][0-9]{0,18})$',
  description: 'Sum of quantity x unitPriceMinor over the lines, in minor units, as a string of digits (exact)',
});
const Title = Type.String({ minLength: 1, maxLength: 200 });
const ValidUntil = Type.String({ format: 'date-time', description: 'The offer holds until this instant (UTC)' });

export const ServiceProposalDraftedSchema = eventSchema(
  'service-proposal.drafted',
  1,
  closedObject({
    clientId: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', description: "The client's slug" }),
    title: Title,
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: "ISO 4217 code, the client's currency" }),
    lineItems: LineItems,
    totalMinor: TotalMinor,
    validUntil: ValidUntil,
  }),
  'A service proposal was drafted for a client.',
);
export type ServiceProposalDrafted = Static<typeof ServiceProposalDraftedSchema>;

export const ServiceProposalRevisedSchema = eventSchema(
  'service-proposal.revised',
  1,
  closedObject({ title: Title, lineItems: LineItems, totalMinor: TotalMinor, validUntil: ValidUntil }),
  'A draft proposal was revised; the event carries its title, lines, total and validity after the revision.',
);
export type ServiceProposalRevised = Static<typeof ServiceProposalRevisedSchema>;

export const ServiceProposalSubmittedSchema = eventSchema(
  'service-proposal.submitted',
  1,
  closedObject({}),
  'A draft proposal was submitted to the client; it can no longer be revised.',
);
export type ServiceProposalSubmitted = Static<typeof ServiceProposalSubmittedSchema>;

export const ServiceProposalAcceptedSchema = eventSchema(
  'service-proposal.accepted',
  1,
  closedObject({ acceptedAt: Type.String({ format: 'date-time' }) }),
  'A submitted proposal was accepted before it expired.',
);
export type ServiceProposalAccepted = Static<typeof ServiceProposalAcceptedSchema>;

export const ServiceProposalRejectedSchema = eventSchema(
  'service-proposal.rejected',
  1,
  closedObject({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
  'A submitted proposal was rejected, with the reason.',
);
export type ServiceProposalRejected = Static<typeof ServiceProposalRejectedSchema>;

export const ServiceProposalWithdrawnSchema = eventSchema(
  'service-proposal.withdrawn',
  1,
  closedObject({}),
  'A draft or submitted proposal was withdrawn by its author.',
);
export type ServiceProposalWithdrawn = Static<typeof ServiceProposalWithdrawnSchema>;

export type ServiceProposalEvent =
  | ServiceProposalDrafted
  | ServiceProposalRevised
  | ServiceProposalSubmitted
  | ServiceProposalAccepted
  | ServiceProposalRejected
  | ServiceProposalWithdrawn;

export const serviceProposalContract: StreamContract = {
  streamType: SERVICE_PROPOSAL_STREAM,
  description: 'Service proposals to clients: draft, revise, submit, then accepted, rejected or withdrawn.',
  current: [
    ServiceProposalDraftedSchema,
    ServiceProposalRevisedSchema,
    ServiceProposalSubmittedSchema,
    ServiceProposalAcceptedSchema,
    ServiceProposalRejectedSchema,
    ServiceProposalWithdrawnSchema,
  ],
  legacy: [],
};

/** No older versions yet. */
export const serviceProposalUpcasters: Upcaster[] = [];
