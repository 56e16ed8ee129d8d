import { serviceProposalContract, ServiceProposalEvent, ServiceProposalLineItem } from '@analytics/contracts';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RuleViolationError, UnprocessableError } from '../../shared/domain-errors';
import {
  decideServiceProposal,
  evolveServiceProposal,
  initialServiceProposalState,
  ServiceProposalCommand,
  totalMinorOf,
} from './service-proposal.decider';

const NOW = new Date('2030-01-01T12:00:00.000Z');
const VALID_UNTIL = '2030-01-31T17:00:00.000Z';
const client = { status: 'active' as const, currency: 'EUR' };
const lines: ServiceProposalLineItem[] = [
  { sku: 'CONSULT-DAY', description: 'Consulting day', quantity: 3, unitPriceMinor: 120_000 },
  { sku: 'travel', description: 'Travel', quantity: 1, unitPriceMinor: 45_050 },
];
const draft: ServiceProposalCommand = {
  type: 'draft',
  clientId: 'acme',
  title: 'Audit',
  lineItems: lines,
  validUntil: '2030-01-31T18:00:00+01:00',
  client,
};

const drafted: ServiceProposalEvent = {
  type: 'service-proposal.drafted',
  schemaVersion: 1,
  data: {
    clientId: 'acme',
    title: 'Audit',
    currency: 'EUR',
    lineItems: lines,
    totalMinor: '405050',
    validUntil: VALID_UNTIL,
  },
};
const submitted: ServiceProposalEvent = { type: 'service-proposal.submitted', schemaVersion: 1, data: {} };
const accepted: ServiceProposalEvent = {
  type: 'service-proposal.accepted',
  schemaVersion: 1,
  data: { acceptedAt: NOW.toISOString() },
};
const rejected: ServiceProposalEvent = { type: 'service-proposal.rejected', schemaVersion: 1, data: { reason: 'No' } };
const withdrawn: ServiceProposalEvent = { type: 'service-proposal.withdrawn', schemaVersion: 1, data: {} };

/** given(events).when(command, now) -> events or error */
const given = (...history: ServiceProposalEvent[]) => ({
  when:
    (command: ServiceProposalCommand, now = NOW) =>
    () =>
      decideServiceProposal(command, history.reduce(evolveServiceProposal, initialServiceProposalState), now),
});

/** The code of the domain error a decision throws. */
const codeOf = (decision: () => unknown) => {
  try {
    decision();
  } catch (error) {
    if (error instanceof RuleViolationError || error instanceof UnprocessableError) {
      return `${error.status} ${error.code}`;
    }
    throw error;
  }
  throw new Error('the decision did not fail');
};

const at = (iso: string) => new Date(iso);

describe('service proposal decisions', () => {
  it("drafts a proposal in the client's currency with the computed total and validUntil in UTC", () => {
    expect(given().when(draft)()).toEqual([drafted]);
  });

  it('refuses an unknown client (422), an archived one (409), and a validUntil not in the future (422)', () => {
    expect(codeOf(given().when({ ...draft, client: undefined }))).toBe('422 client-not-found');
    expect(codeOf(given().when({ ...draft, client: { ...client, status: 'archived' } }))).toBe('409 client-archived');
    expect(codeOf(given().when({ ...draft, validUntil: NOW.toISOString() }))).toBe('422 valid-until-not-future');
    expect(codeOf(given().when({ ...draft, validUntil: '2029-12-31T23:59:59Z' }))).toBe('422 valid-until-not-future');
  });

  it('records line items with exactly their four members', () => {
    const extra = { ...lines[0], note: 'x' } as ServiceProposalLineItem;
    const [event] = given().when({ ...draft, lineItems: [extra] })();
    expect((event.data as { lineItems: unknown[] }).lineItems).toEqual([lines[0]]);
  });

  describe('total', () => {
    it('is the sum of quantity x unit price, as a string of digits', () => {
      expect(totalMinorOf(lines)).toBe('405050');
      expect(totalMinorOf([{ ...lines[0], unitPriceMinor: 0 }])).toBe('0');
    });

    it('stays exact far beyond 2^53', () => {
      const max = { sku: 'big', description: 'Big', quantity: 1_000_000, unitPriceMinor: 1_000_000_000_000 };
      expect(totalMinorOf([max])).toBe('1000000000000000000');
      // 10^18 + 1: a double cannot hold it (the nearest one is 10^18), the string can.
      const one = { sku: 'one', description: 'One', quantity: 1, unitPriceMinor: 1 };
      expect(totalMinorOf([max, one])).toBe('1000000000000000001');
      expect(10 ** 18 + 1).toBe(10 ** 18);
    });

    it('is refused above a signed 64-bit integer (the bigint column)', () => {
      const max = { sku: 'big', description: 'Big', quantity: 1_000_000, unitPriceMinor: 1_000_000_000_000 };
      expect(totalMinorOf(Array.from({ length: 9 }, () => max))).toBe('9000000000000000000');
      expect(codeOf(() => totalMinorOf(Array.from({ length: 10 }, () => max)))).toBe('422 total-too-large');
    });
  });

  describe('revise', () => {
    it('replaces what is given in a draft and recomputes the total', () => {
      const lineItems = [{ sku: 'X', description: 'X', quantity: 2, unitPriceMinor: 7 }];
      expect(given(drafted).when({ type: 'revise', lineItems })()).toEqual([
        {
          type: 'service-proposal.revised',
          schemaVersion: 1,
          data: { title: 'Audit', lineItems, totalMinor: '14', validUntil: VALID_UNTIL },
        },
      ]);
      const [event] = given(drafted).when({ type: 'revise', title: 'New', validUntil: '2030-02-01T00:00:00Z' })();
      expect(event.data).toEqual({
        title: 'New',
        lineItems: lines,
        totalMinor: '405050',
        validUntil: '2030-02-01T00:00:00.000Z',
      });
    });

    it('records nothing when nothing changes', () => {
      expect(given(drafted).when({ type: 'revise' })()).toEqual([]);
      expect(
        given(drafted).when({ type: 'revise', title: 'Audit', lineItems: lines, validUntil: VALID_UNTIL })(),
      ).toEqual([]);
    });

    it('is refused once the proposal is no longer a draft', () => {
      for (const history of [[submitted], [submitted, accepted], [submitted, rejected], [withdrawn]]) {
        expect(codeOf(given(drafted, ...history).when({ type: 'revise', title: 'New' }))).toBe(
          '409 proposal-not-draft',
        );
      }
    });

    it('refuses a validUntil in the past', () => {
      expect(codeOf(given(drafted).when({ type: 'revise', validUntil: '2029-01-01T00:00:00Z' }))).toBe(
        '422 valid-until-not-future',
      );
    });
  });

  it('submits a draft only, and not after its validUntil', () => {
    expect(given(drafted).when({ type: 'submit' })()).toEqual([submitted]);
    expect(codeOf(given(drafted, submitted).when({ type: 'submit' }))).toBe('409 proposal-not-draft');
    expect(codeOf(given(drafted).when({ type: 'submit' }, at('2030-02-01T00:00:00Z')))).toBe('409 proposal-expired');
  });

  describe('accept', () => {
    it('accepts a submitted proposal up to and including validUntil, recording when', () => {
      expect(given(drafted, submitted).when({ type: 'accept' })()).toEqual([accepted]);
      expect(given(drafted, submitted).when({ type: 'accept' }, at(VALID_UNTIL))()).toEqual([
        { type: 'service-proposal.accepted', schemaVersion: 1, data: { acceptedAt: VALID_UNTIL } },
      ]);
    });

    it('refuses once validUntil has passed', () => {
      expect(codeOf(given(drafted, submitted).when({ type: 'accept' }, at('2030-01-31T17:00:00.001Z')))).toBe(
        '409 proposal-expired',
      );
    });

    it('refuses a proposal that is not submitted', () => {
      for (const history of [[], [submitted, accepted], [submitted, rejected], [withdrawn]]) {
        expect(codeOf(given(drafted, ...history).when({ type: 'accept' }))).toBe('409 proposal-not-submitted');
      }
    });
  });

  describe('reject', () => {
    it('rejects a submitted proposal with its reason', () => {
      expect(given(drafted, submitted).when({ type: 'reject', reason: 'No' })()).toEqual([rejected]);
    });

    it('needs a non-blank reason of at most 1000 characters', () => {
      for (const reason of ['', '   ', 'x'.repeat(1001)]) {
        expect(codeOf(given(drafted, submitted).when({ type: 'reject', reason }))).toBe('422 rejection-reason-invalid');
      }
    });

    it('refuses a proposal that is not submitted', () => {
      expect(codeOf(given(drafted).when({ type: 'reject', reason: 'No' }))).toBe('409 proposal-not-submitted');
      expect(codeOf(given(drafted, submitted, accepted).when({ type: 'reject', reason: 'No' }))).toBe(
        '409 proposal-not-submitted',
      );
    });
  });

  it('withdraws a draft or a submitted proposal, and nothing closed', () => {
    expect(given(drafted).when({ type: 'withdraw' })()).toEqual([withdrawn]);
    expect(given(drafted, submitted).when({ type: 'withdraw' })()).toEqual([withdrawn]);
    for (const closing of [accepted, rejected, withdrawn]) {
      const history = closing === withdrawn ? [drafted, withdrawn] : [drafted, submitted, closing];
      expect(codeOf(given(...history).when({ type: 'withdraw' }))).toBe('409 proposal-not-open');
    }
  });

  it('refuses commands on a proposal never drafted', () => {
    expect(given().when({ type: 'submit' })).toThrow(/does not exist/);
  });

  it('folds the lifecycle into state', () => {
    const state = [drafted, submitted, rejected].reduce(evolveServiceProposal, initialServiceProposalState);
    expect(state).toMatchObject({ status: 'rejected', rejectionReason: 'No', totalMinor: '405050', currency: 'EUR' });
  });

  it('emits only events that match the published schemas', () => {
    FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)) && /T/.test(value));
    const schemas = new Map(serviceProposalContract.current.map((schema) => [schema.$id, schema]));
    const revisedTo = { type: 'revise', title: 'T', validUntil: '2030-03-01T00:00:00Z' } as const;
    const events = [
      ...given().when(draft)(),
      ...given(drafted).when(revisedTo)(),
      ...given(drafted).when({ type: 'submit' })(),
      ...given(drafted, submitted).when({ type: 'accept' })(),
      ...given(drafted, submitted).when({ type: 'reject', reason: 'Too dear' })(),
      ...given(drafted).when({ type: 'withdraw' })(),
    ];
    expect(new Set(events.map((event) => event.type)).size).toBe(schemas.size);
    for (const event of events) {
      const schema = schemas.get(`${event.type}.v${event.schemaVersion}`);
      expect({ type: event.type, errors: [...Value.Errors(schema!, event)].map((error) => error.message) }).toEqual({
        type: event.type,
        errors: [],
      });
      // Closed objects: an extra member in data is refused.
      expect(Value.Check(schema!, { ...event, data: { ...event.data, extra: 1 } })).toBe(false);
    }
  });
});
