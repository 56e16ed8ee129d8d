import { envelopeSchemaOf, serviceProposalContract } from '@analytics/contracts';
import {
  AppProcess,
  EventCollector,
  eventually,
  jsonOf,
  commandApiOnScratch,
  CommandApiOnScratch,
  Accepted,
  Problem,
} from '@analytics/testing';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

interface LineItem {
  sku: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const totalOf = (items: LineItem[]) =>
  items.reduce((sum, item) => sum + BigInt(item.quantity) * BigInt(item.unitPriceMinor), 0n).toString();

/** Service proposals through command-api's HTTP API, as a client service would use them. */
describe('service proposals over HTTP', () => {
  let setup: CommandApiOnScratch;
  let app: AppProcess;
  let events: EventCollector;
  let db: Client;

  beforeAll(async () => {
    setup = await commandApiOnScratch('service_proposals', 'service-proposal');
    ({ app, events, db } = setup);
  });

  afterAll(() => setup?.stop());

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/v1/service-proposals${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** A client configuration in `currency`; its slug. */
  const newClient = async (currency = 'CHF', archived = false) => {
    const clientId = `client-${randomUUID().slice(0, 8)}`;
    const response = await fetch(`${app.baseUrl}/v1/client-configs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, displayName: 'Acme', timezone: 'Europe/Zurich', currency }),
    });
    expect(response.status).toBe(201);
    const { id } = await jsonOf<Accepted>(response);
    if (archived) {
      expect((await fetch(`${app.baseUrl}/v1/client-configs/${id}/archive`, { method: 'POST' })).status).toBe(200);
    }
    return clientId;
  };

  const lines: LineItem[] = [
    { sku: 'CONSULT-DAY', description: 'Consulting day', quantity: 3, unitPriceMinor: 120_000 },
    { sku: 'travel', description: 'Travel', quantity: 1, unitPriceMinor: 45_050 },
  ];
  const proposal = (clientId: string, extra: Record<string, unknown> = {}) => ({
    clientId,
    title: 'Data platform audit',
    lineItems: lines,
    validUntil: inDays(30),
    ...extra,
  });

  const draft = async (body: unknown) => {
    const response = await send('POST', '', body);
    expect(response.status).toBe(201);
    return jsonOf<Accepted>(response);
  };
  const problemOf = async (response: Response) => ({ ...(await jsonOf<Problem>(response)), status: response.status });
  const rowOf = async (id: string) =>
    (
      await db.query(
        `SELECT client_id, title, currency, line_items, total_minor, status, valid_until, rejection_reason, version
         FROM service_proposals WHERE id = $1`,
        [id],
      )
    ).rows[0];
  const eventCount = async () => (await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n as number;

  it('drafts, revises, submits and accepts; events arrive in order with the exact total; the row follows', async () => {
    const clientId = await newClient('JPY');
    // One line of 10^6 x (10^12 - 1): far above 2^53, where JSON numbers lose precision.
    const big: LineItem = {
      sku: 'DATA.TB',
      description: 'Storage',
      quantity: 1_000_000,
      unitPriceMinor: 999_999_999_999,
    };
    const created = await send('POST', '', proposal(clientId), { 'X-Correlation-Id': 'corr-proposal' });
    expect(created.status).toBe(201);
    const { id, version } = await jsonOf<Accepted>(created);
    expect({ version, etag: created.headers.get('etag'), location: created.headers.get('location') }).toEqual({
      version: 1,
      etag: '"1"',
      location: `/v1/service-proposals/${id}`,
    });

    const revisedLines = [...lines, big];
    const validUntil = inDays(60);
    const revised = await send('PATCH', `/${id}`, { lineItems: revisedLines, validUntil }, { 'If-Match': '"1"' });
    expect(await jsonOf<Accepted>(revised)).toMatchObject({ id, version: 2 });
    expect(await jsonOf<Accepted>(await send('POST', `/${id}/submit`, undefined, { 'If-Match': '"2"' }))).toMatchObject(
      {
        id,
        version: 3,
      },
    );
    const acceptedResponse = await send('POST', `/${id}/accept`, undefined, { 'If-Match': '"3"' });
    expect(acceptedResponse.status).toBe(200);
    const accepted = await jsonOf<Accepted>(acceptedResponse);
    expect(accepted).toMatchObject({ id, version: 4 });

    await eventually(async () => events.firstSeenVersions(id).length === 4, 20_000);
    expect(events.firstSeenVersions(id)).toEqual([1, 2, 3, 4]);
    const published = events.received.filter((envelope) => envelope.streamId === id).slice(0, 4);
    expect(published.map((envelope) => envelope.type)).toEqual([
      'service-proposal.drafted',
      'service-proposal.revised',
      'service-proposal.submitted',
      'service-proposal.accepted',
    ]);
    expect(published[0]).toMatchObject({
      streamType: 'service-proposal',
      correlationId: 'corr-proposal',
      data: { clientId, currency: 'JPY', lineItems: lines, totalMinor: totalOf(lines) },
    });
    expect(published[1].data).toEqual({
      title: 'Data platform audit',
      lineItems: revisedLines,
      totalMinor: '999999999999405050',
      validUntil,
    });
    expect(totalOf(revisedLines)).toBe('999999999999405050');
    expect(published[3].position).toBe(accepted.position);

    // What is published is what the contract describes (closed objects: nothing more).
    FormatRegistry.Set('uuid', (value) => /^[0-9a-f-]{36}$/i.test(value));
    FormatRegistry.Set('date-time', (value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)));
    for (const envelope of published) {
      const schema = serviceProposalContract.current.find((event) => event.$id === `${envelope.type}.v1`);
      const errors = [...Value.Errors(envelopeSchemaOf(schema!, 'service-proposal'), envelope)];
      expect({ type: envelope.type, errors: errors.map((error) => `${error.path} ${error.message}`) }).toEqual({
        type: envelope.type,
        errors: [],
      });
    }

    expect(await rowOf(id)).toEqual({
      client_id: clientId,
      title: 'Data platform audit',
      currency: 'JPY',
      line_items: revisedLines,
      total_minor: '999999999999405050',
      status: 'accepted',
      valid_until: new Date(validUntil),
      rejection_reason: null,
      version: 4,
    });
  });

  it('rejects a submitted proposal only with a reason, and keeps the reason in the row', async () => {
    const { id } = await draft(proposal(await newClient()));
    await send('POST', `/${id}/submit`);

    for (const body of [undefined, {}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(1001) }]) {
      const refused = await problemOf(await send('POST', `/${id}/reject`, body));
      expect({ status: refused.status, fields: new Set(refused.errors?.map((error) => error.field)) }).toEqual({
        status: 400,
        fields: new Set(['reason']),
      });
    }
    const rejected = await send('POST', `/${id}/reject`, { reason: 'Budget moved to next year' });
    expect(await jsonOf<Accepted>(rejected)).toMatchObject({ id, version: 3 });
    expect(await rowOf(id)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'Budget moved to next year',
      version: 3,
    });

    const withdraw = await problemOf(await send('POST', `/${id}/withdraw`));
    expect(withdraw).toMatchObject({ status: 409, type: expect.stringMatching(/\/proposal-not-open$/) });
    await eventually(async () => events.firstSeenVersions(id).length === 3, 20_000);
    expect(events.received.find((e) => e.streamId === id && e.streamVersion === 3)).toMatchObject({
      type: 'service-proposal.rejected',
      data: { reason: 'Budget moved to next year' },
    });
  });

  it('withdraws a draft, which then cannot be submitted', async () => {
    const { id } = await draft(proposal(await newClient()));
    expect((await send('POST', `/${id}/withdraw`)).status).toBe(200);
    expect(await problemOf(await send('POST', `/${id}/submit`))).toMatchObject({
      status: 409,
      type: expect.stringMatching(/\/proposal-not-draft$/),
    });
    expect(await rowOf(id)).toMatchObject({ status: 'withdrawn', version: 2 });
  });

  it('refuses to revise a submitted proposal (409 proposal-not-draft)', async () => {
    const { id } = await draft(proposal(await newClient()));
    await send('POST', `/${id}/submit`);
    const refused = await problemOf(await send('PATCH', `/${id}`, { title: 'Changed' }));
    expect(refused).toMatchObject({ status: 409, type: expect.stringMatching(/\/proposal-not-draft$/) });
    expect(await rowOf(id)).toMatchObject({ status: 'submitted', title: 'Data platform audit', version: 2 });
  });

  it('refuses to accept once validUntil has passed (409 proposal-expired)', async () => {
    const validUntil = new Date(Date.now() + 2_000);
    const { id } = await draft(proposal(await newClient(), { validUntil: validUntil.toISOString() }));
    expect((await send('POST', `/${id}/submit`)).status).toBe(200);
    await sleep(Math.max(0, validUntil.getTime() - Date.now()) + 300);

    const refused = await problemOf(await send('POST', `/${id}/accept`));
    expect(refused).toMatchObject({ status: 409, type: expect.stringMatching(/\/proposal-expired$/) });
    expect(await rowOf(id)).toMatchObject({ status: 'submitted', version: 2 });
  });

  it('takes the currency from the client: unknown client 422, archived client 409', async () => {
    const unknown = await problemOf(await send('POST', '', proposal('no-such-client')));
    expect(unknown).toMatchObject({ status: 422, type: expect.stringMatching(/\/client-not-found$/) });

    const archived = await problemOf(await send('POST', '', proposal(await newClient('EUR', true))));
    expect(archived).toMatchObject({ status: 409, type: expect.stringMatching(/\/client-archived$/) });
  });

  it('answers invalid requests with problem documents naming the field, and writes nothing', async () => {
    const clientId = await newClient();
    const before = await eventCount();
    const zero = [{ ...lines[0], quantity: 0 }];
    const cases: [string, unknown, number, string][] = [
      ['a total from the client', proposal(clientId, { total: 1 }), 400, 'total'],
      ['a totalMinor from the client', proposal(clientId, { totalMinor: '1' }), 400, 'totalMinor'],
      ['a currency from the client', proposal(clientId, { currency: 'USD' }), 400, 'currency'],
      ['quantity 0', proposal(clientId, { lineItems: zero }), 400, 'lineItems.0.quantity'],
      [
        'a fractional price',
        proposal(clientId, { lineItems: [lines[0], { ...lines[1], unitPriceMinor: 1.5 }] }),
        400,
        'lineItems.1.unitPriceMinor',
      ],
      [
        'an unknown line member',
        proposal(clientId, { lineItems: [{ ...lines[0], total: 5 }] }),
        400,
        'lineItems.0.total',
      ],
      ['no line items', proposal(clientId, { lineItems: [] }), 400, 'lineItems'],
      ['101 line items', proposal(clientId, { lineItems: Array(101).fill(lines[0]) }), 400, 'lineItems'],
      ['a title too long', proposal(clientId, { title: 'x'.repeat(201) }), 400, 'title'],
      ['a date without time', proposal(clientId, { validUntil: '2031-01-01' }), 400, 'validUntil'],
      ['validUntil in the past', proposal(clientId, { validUntil: '2020-01-01T00:00:00Z' }), 422, ''],
    ];
    for (const [what, body, status, field] of cases) {
      const response = await send('POST', '', body);
      const problem = await problemOf(response);
      expect({ what, status: problem.status, contentType: response.headers.get('content-type') }).toEqual({
        what,
        status,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
      if (field)
        expect({ what, fields: problem.errors?.map((error) => error.field) }).toEqual({ what, fields: [field] });
    }
    const { id } = await draft(proposal(clientId));
    const nullTitle = await problemOf(await send('PATCH', `/${id}`, { title: null }));
    expect({ status: nullTitle.status, fields: new Set(nullTitle.errors?.map((error) => error.field)) }).toEqual({
      status: 400,
      fields: new Set(['title']),
    });
    expect(await eventCount()).toBe(before + 1);
    expect((await send('POST', `/${randomUUID()}/submit`)).status).toBe(404);
  });

  it('answers a repeated Idempotency-Key with the first response and writes once', async () => {
    const body = proposal(await newClient());
    const key = randomUUID();
    const first = await send('POST', '', body, { 'Idempotency-Key': key });
    const repeat = await send('POST', '', body, { 'Idempotency-Key': key });
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    const { id } = await jsonOf<Accepted>(first);
    expect(await jsonOf<Accepted>(repeat)).toMatchObject({ id, version: 1 });
    expect((await db.query(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1`, [id])).rows[0].n).toBe(1);
  });
});
