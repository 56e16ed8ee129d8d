import { STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import { AppProcess, createScratchDatabase, startApp } from '@analytics/testing';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { Agent, STATUS_CODES } from 'node:http';
import { Client } from 'pg';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { COMMAND_ENDPOINTS, CommandEndpoint, FIXTURE_CLIENTS, WRITE_MODELS } from './command-endpoints';
import { RawRequest, RawResponse, sendRaw } from './http-raw';

/** Runs of the property (one request each); FUZZ_RUNS and FUZZ_SEED replay or widen a run. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS || 3_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/**
 * A failed run, in a few lines: fast-check's own report prints the whole counterexample, whose
 * body may be 400 KB, and a CI log keeps only the start and end of what a run printed.
 */
function shortReport(details: fc.RunDetails<[FuzzCase]>): string {
  const [fuzz] = details.counterexample ?? [];
  const request = fuzz && {
    kind: fuzz.kind,
    endpoint: fuzz.endpoint.name,
    method: fuzz.request.method,
    path: fuzz.request.path.slice(0, 200),
    headers: JSON.stringify(fuzz.request.headers).slice(0, 300),
    body: `${fuzz.request.body?.slice(0, 300)} (${fuzz.request.body?.length ?? 0} chars)`,
  };
  return [
    `property failed after ${details.numRuns} runs; replay with FUZZ_SEED=${details.seed} (path ${details.counterexamplePath})`,
    `request: ${JSON.stringify(request)}`,
    `error: ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance).slice(0, 2000)}`,
  ].join('\n');
}

/** A generated request, what is wrong with it, and whether the API must refuse it. */
interface FuzzCase {
  kind: string;
  endpoint: CommandEndpoint;
  request: RawRequest;
  /** Every request of this kind is invalid; false: random input that might be valid by chance. */
  mustFail: boolean;
}

/** What makes a valid request invalid: replaced parts, and whether it must then be refused. */
type Spoiling = Partial<RawRequest> & {
  /** Default true. */
  mustFail?: boolean;
  /** The stream acted on: an existing one (default) or a missing one. */
  target?: 'existing' | 'missing';
  /** Path segment in place of the stream id. */
  id?: string;
  params?: Record<string, string>;
};

const JSON_TYPE = { 'content-type': 'application/json' };

/** Request bodies nested deeper than this are refused by the HTTP edge (MAX_BODY_DEPTH). */
const EDGE_MAX_DEPTH = 64;

const withBody = COMMAND_ENDPOINTS.filter((endpoint) => endpoint.body !== undefined);
const onStreams = COMMAND_ENDPOINTS.filter((endpoint) => !endpoint.creates);

/** `{ "field": <json text>, ...rest }` without building the value (it may be nested 50,000 deep). */
function objectText(field: string, valueText: string, rest: Record<string, unknown>): string {
  const others = JSON.stringify(rest).slice(1, -1);
  return `{${JSON.stringify(field)}:${valueText}${others ? `,${others}` : ''}}`;
}

const nestedText = (depth: number, kind: 'object' | 'array') =>
  kind === 'object' ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);

/** Header values Node can send (latin-1 without control characters), not blank once trimmed. */
const headerValue = (maxLength: number) =>
  fc
    .string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength })
    .filter((value) => value.trim() !== '' && !/[\x7f]/.test(value));

/**
 * Command-api against arbitrary malformed input: it never answers 5xx, every refusal is a problem
 * document matching its status, and a refused request writes nothing (events, outbox, write
 * models, idempotency records are counted around every request).
 */
describe('command-api under malformed input (property-based)', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topics = new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let app: AppProcess;
  let db: Client;
  /** Streams that exist: valid targets, so that a wrongly accepted request would write. */
  const existing = new Map<CommandEndpoint, string[]>();

  beforeAll(async () => {
    scratch = await createScratchDatabase('fuzz');
    await runPendingMigrations(commandApiSchema, scratch.url);
    await ensureTopics(
      new Kafka({ brokers, logLevel: logLevel.NOTHING }),
      STREAM_TYPES.map((type) => topics.eventsOf(type)),
      6,
    );
    app = await startApp('command-api', { DATABASE_URL: scratch.url });
    db = new Client({ connectionString: scratch.url });
    await db.connect();
    for (const client of FIXTURE_CLIENTS) {
      const response = await send({
        method: 'POST',
        path: '/v1/client-configs',
        headers: JSON_TYPE,
        body: JSON.stringify(client),
      });
      expect(response.status).toBe(201);
    }
    // Two streams for each endpoint, made through the endpoint that creates streams of its type and
    // brought to a state where a valid request to the endpoint would succeed (and write).
    const byName = new Map(COMMAND_ENDPOINTS.map((endpoint) => [endpoint.name, endpoint]));
    const accept = async (endpoint: CommandEndpoint, id: string, body?: Record<string, unknown>) => {
      const response = await send({
        method: endpoint.method,
        path: endpoint.path(id, fc.sample(fc.record(endpoint.params), 1)[0]),
        headers: JSON_TYPE,
        body: JSON.stringify(body ?? (endpoint.body ? fc.sample(endpoint.body, 1)[0] : {})),
      });
      expect({ endpoint: endpoint.name, status: response.status, text: response.text }).toEqual({
        endpoint: endpoint.name,
        status: endpoint.creates ? 201 : 200,
        text: expect.any(String),
      });
      return (JSON.parse(response.text) as { id: string }).id;
    };
    for (const endpoint of onStreams) {
      const creator = COMMAND_ENDPOINTS.find(
        (e) => e.creates && e.streamType === endpoint.streamType,
      ) as CommandEndpoint;
      const ids: string[] = [];
      for (const body of fc.sample(creator.fixtureBody ?? (creator.body as fc.Arbitrary<Record<string, unknown>>), 2)) {
        const id = await accept(creator, '', body);
        for (const step of endpoint.setup ?? []) await accept(byName.get(step) as CommandEndpoint, id);
        ids.push(id);
      }
      existing.set(endpoint, ids);
    }
  });

  afterAll(async () => {
    agent.destroy();
    await db?.end();
    await app?.stop();
    await scratch?.drop();
  });

  const send = (request: RawRequest): Promise<RawResponse> => sendRaw(app.baseUrl, agent, request);

  const tables = ['events', 'outbox', 'idempotency_records', ...new Set(Object.values(WRITE_MODELS))];
  const counts = async (): Promise<Record<string, number>> =>
    (await db.query(`SELECT ${tables.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`))
      .rows[0];

  /** A stream the request acts on: an existing one (a wrong acceptance would write) or, for creates, none. */
  const existingTarget = (endpoint: CommandEndpoint) =>
    endpoint.creates ? fc.constant('') : fc.constantFrom(...(existing.get(endpoint) as string[]));
  const missingTarget = (endpoint: CommandEndpoint) => (endpoint.creates ? fc.constant('') : fc.uuid({ version: 4 }));
  const paramsOf = (endpoint: CommandEndpoint) => fc.record(endpoint.params);
  const validBody = (endpoint: CommandEndpoint) =>
    endpoint.body ?? (fc.constant({}) as fc.Arbitrary<Record<string, unknown>>);
  const idempotencyKey = fc.option(fc.uuid(), { nil: undefined });

  /** A valid request to `endpoint` on an existing stream, then spoilt by `spoil`. */
  const spoilt = (
    kind: string,
    endpoints: CommandEndpoint[],
    spoil: (endpoint: CommandEndpoint) => fc.Arbitrary<Spoiling>,
  ): fc.Arbitrary<FuzzCase> =>
    fc.constantFrom(...endpoints).chain((endpoint) =>
      fc
        .record({
          id: existingTarget(endpoint),
          missingId: missingTarget(endpoint),
          params: paramsOf(endpoint),
          body: validBody(endpoint),
          key: idempotencyKey,
          change: spoil(endpoint),
        })
        .map(({ id, missingId, params, body, key, change }) => {
          const {
            mustFail = true,
            target = 'existing',
            id: otherId,
            params: otherParams,
            headers,
            ...overrides
          } = change;
          const request: RawRequest = {
            method: endpoint.method,
            path: endpoint.path(otherId ?? (target === 'existing' ? id : missingId), { ...params, ...otherParams }),
            headers: {},
            body: endpoint.body ? JSON.stringify(body) : undefined,
            ...overrides,
          };
          request.headers = {
            ...(request.body === undefined ? {} : JSON_TYPE),
            ...(key ? { 'idempotency-key': key } : {}),
            ...headers,
          };
          return { kind, endpoint, request, mustFail };
        }),
    );

  const fieldsOf = (endpoint: CommandEndpoint) => Object.keys(endpoint.invalidFields);

  const cases: fc.Arbitrary<FuzzCase>[] = [
    // Random JSON values and random text as the body, on a missing stream (or a create).
    spoilt('random JSON body', COMMAND_ENDPOINTS, () =>
      fc.jsonValue().map((value) => ({ body: JSON.stringify(value), mustFail: false, target: 'missing' as const })),
    ),
    spoilt('random text body', COMMAND_ENDPOINTS, () =>
      fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((body) => ({ body, mustFail: false, target: 'missing' as const })),
    ),
    // Unknown fields merged into a valid body.
    spoilt('unknown fields', withBody, (endpoint) =>
      validBody(endpoint).chain((body) =>
        fc
          .dictionary(
            fc
              .string({ minLength: 1, maxLength: 20 })
              .filter((key) => !(key in body) && !fieldsOf(endpoint).includes(key)),
            fc.jsonValue({ maxDepth: 2 }),
            { minKeys: 1, maxKeys: 3 },
          )
          .map((extra) => ({ body: JSON.stringify({ ...body, ...extra }) })),
      ),
    ),
    // One field of a valid body with a wrong type or an invalid value.
    spoilt('wrong field value', withBody, (endpoint) =>
      fc
        .record({ body: validBody(endpoint), field: fc.constantFrom(...fieldsOf(endpoint)) })
        .chain(({ body, field }) =>
          endpoint.invalidFields[field].map((value) => ({ body: JSON.stringify({ ...body, [field]: value }) })),
        ),
    ),
    // A huge string in place of a field or inside the settings (over 64 KiB, up to past the body limit).
    spoilt('huge string', withBody, (endpoint) =>
      fc
        .record({
          body: validBody(endpoint),
          field: fc.constantFrom(...fieldsOf(endpoint)),
          size: fc.integer({ min: 64 * 1024 + 1, max: 400_000 }),
          inside: fc.boolean(),
        })
        .map(({ body, field, size, inside }) => {
          const huge = 'h'.repeat(size);
          const value = inside && field === 'settings' ? { big: huge } : huge;
          return { body: JSON.stringify({ ...body, [field]: value }) };
        }),
    ),
    // Deep nesting in a field (beyond what settings allow) or as the whole body (beyond the edge's limit).
    spoilt('deep nesting', COMMAND_ENDPOINTS, (endpoint) =>
      fc
        .record({
          body: validBody(endpoint),
          field: fieldsOf(endpoint).length ? fc.option(fc.constantFrom(...fieldsOf(endpoint))) : fc.constant(null),
          depth: fc.oneof(fc.integer({ min: 9, max: 100 }), fc.integer({ min: 100, max: 60_000 })),
          shape: fc.constantFrom('object' as const, 'array' as const),
        })
        .map(({ body, field, depth, shape }) => {
          if (field === null) {
            return { body: nestedText(Math.max(depth, EDGE_MAX_DEPTH + 1), shape), headers: JSON_TYPE };
          }
          const { [field]: _, ...rest } = body;
          return { body: objectText(field, nestedText(depth, shape), rest) };
        }),
    ),
    // __proto__ and constructor.prototype keys, at the top or nested.
    spoilt('prototype keys', COMMAND_ENDPOINTS, (endpoint) =>
      fc
        .record({
          body: validBody(endpoint),
          poison: fc.constantFrom('{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}'),
          where: fc.constantFrom('top', 'nested'),
        })
        .map(({ body, poison, where }) => {
          const inner = poison.slice(1, -1);
          const fields = JSON.stringify(body).slice(1, -1);
          const text =
            where === 'top'
              ? `{${inner}${fields ? `,${fields}` : ''}}`
              : // Last: with a duplicate member, JSON.parse keeps the last one.
                `{${fields ? `${fields},` : ''}"settings":${poison}}`;
          return { body: text, headers: JSON_TYPE };
        }),
    ),
    // Stream ids that are not v4 UUIDs (or are, upper-case, of no stream).
    spoilt('invalid id', onStreams, () =>
      fc
        .oneof(
          fc.string({ maxLength: 60 }).map(encodeURIComponent),
          fc.uuid({ version: 1 }),
          fc.uuid({ version: 5 }),
          fc.uuid({ version: 4 }).map((uuid) => uuid.replace(/-/g, '')),
          fc.uuid({ version: 4 }).map((uuid) => `${uuid}0`),
          fc.uuid({ version: 4 }).map((uuid) => uuid.toUpperCase()),
          fc.constantFrom('%E0%A4%A', '%ZZ', '..', 'null', 'undefined', '0', '-1', 'x'.repeat(101)),
        )
        .map((id) => ({ id })),
    ),
    // Path parameters that are always refused.
    spoilt(
      'invalid path parameter',
      COMMAND_ENDPOINTS.filter((endpoint) => Object.keys(endpoint.invalidParams).length > 0),
      (endpoint) =>
        fc
          .constantFrom(...Object.keys(endpoint.invalidParams))
          .chain((name) => endpoint.invalidParams[name].map((value) => ({ params: { [name]: value } }))),
    ),
    // If-Match that is not a version, or a version the stream is not at.
    spoilt('bad If-Match', COMMAND_ENDPOINTS, () =>
      fc
        .oneof(
          headerValue(40).filter((value) => !/^(?:W\/)?"?(\d{1,9})"?$/.test(value.trim())),
          // Streams acted on are at version 1 or 2 (after their setup).
          fc.integer({ min: 3, max: 999_999_999 }).map((version) => `"${version}"`),
          fc.constantFrom('*', '"-1"', '"1.5"', 'W/', '""', '"1", "2"', '"9999999999"'),
        )
        .map((ifMatch) => ({ headers: { 'if-match': ifMatch } })),
    ),
    spoilt('bad Idempotency-Key', COMMAND_ENDPOINTS, () =>
      fc
        .oneof(
          headerValue(40).filter((value) => !/^[\x21-\x7e]{1,255}$/.test(value.trim())),
          fc.integer({ min: 256, max: 2_000 }).map((n) => 'k'.repeat(n)),
        )
        .map((key) => ({ headers: { 'idempotency-key': key } })),
    ),
    // A valid JSON body sent as something else.
    spoilt('wrong content type', COMMAND_ENDPOINTS, (endpoint) =>
      fc
        .oneof(
          fc.constantFrom(
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/octet-stream',
            'application/jsonx',
            'text/json',
            'image/png',
            // Media types Fastify or Nest would parse by default: not registered (createHttpApp), so 415 too.
            'text/plain',
            'application/x-www-form-urlencoded',
          ),
          fc
            .stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,20}$/)
            .filter((type) => !/json|^text\/plain$|^application\/x-www-form-urlencoded$/.test(type)),
        )
        .chain((type) =>
          validBody(endpoint).map((body) => ({ body: JSON.stringify(body), headers: { 'content-type': type } })),
        ),
    ),
    // Text that is not JSON: a valid body cut short, or with a stray character.
    spoilt('invalid JSON text', COMMAND_ENDPOINTS, (endpoint) =>
      fc
        .record({
          body: validBody(endpoint),
          cut: fc.nat(),
          stray: fc.constantFrom("'", '}', ',', '\u0000', 'NaN', 'undefined'),
        })
        .chain(({ body, cut, stray }) => {
          const text = JSON.stringify(body);
          return fc.constantFrom(
            { body: text.slice(0, cut % text.length), headers: JSON_TYPE },
            { body: text.slice(0, -1) + stray + '}', headers: JSON_TYPE },
          );
        }),
    ),
  ];

  it(`never answers 5xx to ${NUM_RUNS} malformed requests; refusals are problems and write nothing`, async () => {
    const byKind = new Map<string, Record<number, number>>();
    const byEndpoint = new Map<string, number>();
    const byStatus = new Map<number, number>();
    let acceptedByChance = 0;

    const details = await fc.check(
      fc.asyncProperty(fc.oneof(...cases), async (fuzz) => {
        const before = await counts();
        const response = await send(fuzz.request);
        const after = await counts();
        const { status } = response;
        const statuses = byKind.get(fuzz.kind) ?? {};
        byKind.set(fuzz.kind, { ...statuses, [status]: (statuses[status] ?? 0) + 1 });
        byEndpoint.set(fuzz.endpoint.name, (byEndpoint.get(fuzz.endpoint.name) ?? 0) + 1);
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);

        const what = `${fuzz.kind}: ${fuzz.request.method} ${fuzz.request.path.slice(0, 200)} -> ${status} ${response.text.slice(0, 300)}`;
        expect({ what, serverError: status >= 500 }).toEqual({ what, serverError: false });
        if (status < 400) {
          // Random input that happens to be a valid command: accounted, not refused.
          expect({ what, mustFail: fuzz.mustFail }).toEqual({ what, mustFail: false });
          expect(status).toBeGreaterThanOrEqual(200);
          acceptedByChance++;
          return;
        }
        expect(status).toBeLessThan(500);
        expect({ what, type: response.headers['content-type'] }).toEqual({
          what,
          type: expect.stringMatching(/^application\/problem\+json/),
        });
        const problem = JSON.parse(response.text) as Record<string, unknown>;
        expect({ what, problem }).toEqual({
          what,
          problem: expect.objectContaining({
            type: expect.stringMatching(/^(about:blank|https:\/\/\S+)$/),
            title: expect.stringMatching(/\S/),
            status,
            detail: expect.any(String),
          }),
        });
        if (problem.type === 'about:blank')
          expect({ what, title: problem.title }).toEqual({ what, title: STATUS_CODES[status] });
        expect({ what, counts: after }).toEqual({ what, counts: before });
      }),
      { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true },
    );
    if (details.failed) throw new Error(shortReport(details));

    console.log(
      [
        `fuzz: ${NUM_RUNS} requests, ${acceptedByChance} valid by chance (accepted)`,
        `statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}`,
        `kinds ${JSON.stringify(Object.fromEntries(byKind))}`,
        `endpoints ${JSON.stringify(Object.fromEntries(byEndpoint))}`,
      ].join('\n'),
    );
    // Every kind of defect reached every endpoint it applies to, many times.
    for (const endpoint of COMMAND_ENDPOINTS) expect(byEndpoint.get(endpoint.name) ?? 0).toBeGreaterThan(50);
    for (const [kind, statuses] of byKind) {
      expect({ kind, runs: Object.values(statuses).reduce((a, b) => a + b, 0) > 20 }).toEqual({ kind, runs: true });
    }
    expect(byKind.size).toBe(cases.length);
    expect(app.output()).not.toMatch(/"level":50/);
  });
});
