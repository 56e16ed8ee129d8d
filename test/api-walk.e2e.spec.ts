import { problemType, STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  collectEvents,
  createScratchDatabase,
  EventCollector,
  eventSchemasOf,
  eventually,
  OpenApiWalk,
  openApiProblems,
  startApp,
  WalkRequest,
  WalkResponse,
  Accepted,
  Problem,
} from '@analytics/testing';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { REBUILD_MUTEX_KEY } from '../apps/query-api/src/projections/rebuild/switch-lock';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';

interface View {
  id: string;
  status: string;
  version: number;
  position: string;
  [field: string]: unknown;
}
interface Page<T = View> {
  items: T[];
  nextCursor: string | null;
}
interface DeadLetter {
  id: string;
  status: string;
  streamId: string | null;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
/** How long a read with X-Min-Position may wait: the first ones also wait for the consumer group to form. */
const DASHBOARD_WAIT_MS = '10000';

/**
 * The black-box walk of issue 5: both apps from their production build, driven only over HTTP and
 * Kafka as their users drive them. A service sends commands, a downstream consumer (its own group)
 * checks every message against the published schemas, a dashboard reads query-api with
 * read-your-writes. Every operation of both OpenAPI documents is walked, every answer must be one
 * the document describes (status, media type, schema), and the documented errors are provoked.
 */
describe('API walk over both OpenAPI documents', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  // Topics of its own, so that the downstream consumer sees only what this walk caused.
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}walk${randomUUID().slice(0, 6)}.`;
  const topics = new TopicNames(prefix);
  let writeScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let commandApi: AppProcess;
  let queryApi: AppProcess;
  let collectors: EventCollector[] = [];
  let commands: OpenApiWalk;
  let queries: OpenApiWalk;
  /** Every command answered 2xx, and the Idempotency-Key it was sent with. */
  const acknowledged: (Accepted & { key: string })[] = [];
  /** Stream ids of the messages this test put on the topics itself (poison for the dead letters). */
  const poisonKeys = new Set<string>();

  beforeAll(async () => {
    writeScratch = await createScratchDatabase('walk_write');
    readScratch = await createScratchDatabase('walk_read');
    await runPendingMigrations(commandApiSchema, writeScratch.url);
    await runPendingMigrations(queryApiSchema, readScratch.url);
    const eventTopics = STREAM_TYPES.map((type) => topics.eventsOf(type));
    await ensureTopics(new Kafka({ brokers, logLevel: logLevel.NOTHING }), eventTopics, 6);
    collectors = await Promise.all(eventTopics.map((topic) => collectEvents(brokers, topic)));
    commandApi = await startApp('command-api', { DATABASE_URL: writeScratch.url, KAFKA_TOPIC_PREFIX: prefix });
    queryApi = await startApp('query-api', {
      READ_DATABASE_URL: readScratch.url,
      DATABASE_URL: readScratch.url,
      KAFKA_TOPIC_PREFIX: prefix,
      PROJECTIONS_GROUP_ID: `walk-${randomUUID().slice(0, 8)}`,
      PROJECTIONS_SESSION_TIMEOUT_MS: '6000',
      COMMAND_API_URL: commandApi.baseUrl,
    });
    commands = await OpenApiWalk.of(commandApi.baseUrl);
    queries = await OpenApiWalk.of(queryApi.baseUrl);
  });

  afterAll(async () => {
    await queryApi?.stop();
    await commandApi?.stop();
    await Promise.all(collectors.map((collector) => collector.stop()));
    await writeScratch?.drop();
    await readScratch?.drop();
  });

  /** A command that must be accepted; recorded so that its events are expected on Kafka. */
  const accepted = async (operation: string, request: WalkRequest = {}): Promise<Accepted> => {
    const key = randomUUID();
    const response = await commands.call<Accepted>(operation, {
      ...request,
      headers: { 'Idempotency-Key': key, ...request.headers },
    });
    expect({ operation, status: response.status }).toEqual({
      operation,
      status: operation.startsWith('POST') && !operation.includes('{') ? 201 : 200,
    });
    expect(response.headers.get('etag')).toBe(`"${response.body.version}"`);
    acknowledged.push({ ...response.body, key });
    return response.body;
  };

  /** A refusal: the documented status, as a problem document of `type` (a code, or a full URI). */
  const refused = async (
    walk: OpenApiWalk,
    operation: string,
    request: WalkRequest,
    status: number,
    type?: string,
  ): Promise<Problem> => {
    const response = await walk.call<Problem>(operation, request);
    expect({ operation, status: response.status }).toEqual({ operation, status });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.status).toBe(status);
    if (type) expect(response.body.type).toBe(type.includes(':') ? type : problemType(type));
    return response.body;
  };

  /** The dashboard: a query-api read that must reflect `position` (read-your-writes). */
  const dashboard = async <T = View>(
    operation: string,
    position: string,
    request: WalkRequest = {},
  ): Promise<WalkResponse<T>> => {
    const response = await queries.call<T>(operation, {
      ...request,
      headers: { 'X-Min-Position': position, 'X-Max-Wait-Ms': DASHBOARD_WAIT_MS, ...request.headers },
    });
    expect({ operation, status: response.status, consistency: response.headers.get('x-consistency') }).toEqual({
      operation,
      status: 200,
      consistency: 'caught-up',
    });
    return response;
  };

  const newClient = async (clientId = `walk-${randomUUID().slice(0, 8)}`) => {
    const created = await accepted('POST /v1/client-configs', {
      body: { clientId, displayName: `Walk ${clientId}`, timezone: 'Europe/Paris', currency: 'EUR' },
    });
    return { clientId, ...created };
  };

  let clientId: string;
  let clientConfigId: string;
  let profileId: string;
  let acceptedProposalId: string;

  it('publishes two valid OpenAPI documents', async () => {
    expect(await openApiProblems(commands.document)).toEqual([]);
    expect(await openApiProblems(queries.document)).toEqual([]);
    expect(commands.operations.size).toBeGreaterThan(0);
    expect(queries.operations.size).toBeGreaterThan(0);
  });

  it('client config: create, change settings, set a feature flag, archive; archived refuses commands', async () => {
    const slug = `walk-${randomUUID().slice(0, 8)}`;
    const created = await accepted('POST /v1/client-configs', {
      body: {
        clientId: slug,
        displayName: 'Walk Archive Co',
        timezone: 'Europe/Paris',
        currency: 'EUR',
        settings: { theme: 'dark', limits: { rows: 10 } },
        featureFlags: { beta: false },
      },
    });
    const id = created.id;
    let overview = await dashboard<Record<string, unknown>>('GET /v1/clients/{clientId}/overview', created.position, {
      params: { clientId: slug },
    });
    expect(overview.body).toMatchObject({ clientId: slug, clientConfigId: id, status: 'active', currency: 'EUR' });

    await refused(
      commands,
      'POST /v1/client-configs',
      { body: { clientId: slug, displayName: 'Twin', timezone: 'UTC', currency: 'USD' } },
      409,
      'client-id-taken',
    );

    const changed = await accepted('PATCH /v1/client-configs/{id}', {
      params: { id },
      headers: { 'If-Match': `"${created.version}"` },
      body: { settings: { theme: null, limits: { rows: 20 } } },
    });
    const flagged = await accepted('PUT /v1/client-configs/{id}/feature-flags/{flag}', {
      params: { id, flag: 'beta' },
      headers: { 'If-Match': `"${changed.version}"` },
      body: { enabled: true },
    });
    overview = await dashboard('GET /v1/clients/{clientId}/overview', flagged.position, { params: { clientId: slug } });
    expect(overview.body).toMatchObject({ settings: { limits: { rows: 20 } }, featureFlags: { beta: true } });
    expect(overview.body.settings).not.toHaveProperty('theme');

    const archived = await accepted('POST /v1/client-configs/{id}/archive', { params: { id } });
    overview = await dashboard('GET /v1/clients/{clientId}/overview', archived.position, {
      params: { clientId: slug },
    });
    expect(overview.body).toMatchObject({ status: 'archived', configVersion: archived.version });

    await refused(
      commands,
      'PATCH /v1/client-configs/{id}',
      { params: { id }, body: { settings: {} } },
      409,
      'client-archived',
    );
    await refused(
      commands,
      'PUT /v1/client-configs/{id}/feature-flags/{flag}',
      { params: { id, flag: 'beta' }, body: { enabled: false } },
      409,
      'client-archived',
    );
    await refused(commands, 'POST /v1/client-configs/{id}/archive', { params: { id } }, 409, 'client-archived');
    // Nor do its connectors and proposals: the archived client takes no new ones.
    await refused(
      commands,
      'POST /v1/connector-profiles',
      {
        body: {
          clientId: slug,
          name: 'Late',
          kind: 'rest_api',
          config: { baseUrl: 'https://api.example.com' },
        },
      },
      409,
      'client-archived',
    );
    await refused(
      commands,
      'POST /v1/service-proposals',
      {
        body: {
          clientId: slug,
          title: 'Late',
          lineItems: [{ sku: 'A', description: 'a', quantity: 1, unitPriceMinor: 1 }],
          validUntil: inDays(30),
        },
      },
      409,
      'client-archived',
    );

    const listed = await dashboard<Page<{ clientId: string; status: string }>>('GET /v1/clients', archived.position, {
      query: { status: 'archived', limit: '200' },
    });
    expect(listed.body.items.map((item) => item.clientId)).toContain(slug);
  });

  it('connector profile: register, update, disable, enable, archive; the documented refusals', async () => {
    ({ clientId, id: clientConfigId } = await newClient());
    const registered = await accepted('POST /v1/connector-profiles', {
      body: {
        clientId,
        name: 'Orders',
        kind: 'postgres',
        config: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader' },
        tags: ['eu'],
        secrets: { password: 'walk-secret-1' },
      },
    });
    profileId = registered.id;
    const id = profileId;
    let view = await dashboard('GET /v1/connector-profiles/{id}', registered.position, { params: { id } });
    expect(view.body).toMatchObject({ id, clientId, name: 'Orders', status: 'active', secretNames: ['password'] });
    expect(JSON.stringify(view.body)).not.toContain('walk-secret-1');

    const updated = await accepted('PATCH /v1/connector-profiles/{id}', {
      params: { id },
      headers: { 'If-Match': `"${registered.version}"` },
      body: { name: 'Orders EU', tags: ['eu', 'prod'] },
    });
    view = await dashboard('GET /v1/connector-profiles/{id}', updated.position, { params: { id } });
    expect(view.body).toMatchObject({ name: 'Orders EU', tags: ['eu', 'prod'] });

    for (const [action, status] of [
      ['disable', 'disabled'],
      ['enable', 'active'],
      ['archive', 'archived'],
    ]) {
      const done = await accepted(`POST /v1/connector-profiles/{id}/${action}`, { params: { id } });
      view = await dashboard('GET /v1/connector-profiles/{id}', done.position, { params: { id } });
      expect({ action, status: view.body.status, version: view.body.version }).toEqual({
        action,
        status,
        version: done.version,
      });
    }
    for (const action of ['disable', 'enable', 'archive']) {
      await refused(
        commands,
        `POST /v1/connector-profiles/{id}/${action}`,
        { params: { id } },
        409,
        'connector-archived',
      );
    }
    await refused(
      commands,
      'PATCH /v1/connector-profiles/{id}',
      { params: { id }, body: { name: 'X' } },
      409,
      'connector-archived',
    );

    const billing = {
      clientId,
      name: 'Billing',
      kind: 'sftp',
      config: { host: 'files.internal', port: 22, username: 'billing' },
    };
    const kept = await accepted('POST /v1/connector-profiles', { body: billing });
    await refused(commands, 'POST /v1/connector-profiles', { body: billing }, 409, 'connector-name-taken');
    await refused(
      commands,
      'POST /v1/connector-profiles',
      { body: { ...billing, clientId: 'walk-no-such-client' } },
      422,
      'client-not-found',
    );
    const invalid = await refused(
      commands,
      'POST /v1/connector-profiles',
      { body: { ...billing, name: 'Other', config: { host: 'files.internal', port: 0, username: 'billing' } } },
      400,
    );
    expect(invalid.errors?.map((error) => error.field)).toContain('config.port');

    const profiles = await dashboard<Page>('GET /v1/connector-profiles', kept.position, {
      query: { clientId, limit: '1' },
    });
    expect(profiles.body.items).toHaveLength(1);
    expect(profiles.body.nextCursor).not.toBeNull();
    const second = await dashboard<Page>('GET /v1/connector-profiles', kept.position, {
      query: { clientId, limit: '1', cursor: profiles.body.nextCursor as string },
    });
    expect([...profiles.body.items, ...second.body.items].map((item) => item.name)).toEqual(['Billing', 'Orders EU']);
  });

  it('service proposal: draft, revise, submit, then accept, reject or withdraw; invalid transitions are problems', async () => {
    const lines = [
      { sku: 'SETUP', description: 'Setup', quantity: 1, unitPriceMinor: 150_000 },
      { sku: 'HOURS', description: 'Consulting hours', quantity: 12, unitPriceMinor: 12_500 },
    ];
    const draft = (title: string) =>
      accepted('POST /v1/service-proposals', { body: { clientId, title, lineItems: lines, validUntil: inDays(30) } });

    const first = await draft('Warehouse setup');
    acceptedProposalId = first.id;
    const id = first.id;
    let view = await dashboard('GET /v1/service-proposals/{id}', first.position, { params: { id } });
    expect(view.body).toMatchObject({ status: 'draft', currency: 'EUR', totalMinor: '300000' });

    const revised = await accepted('PATCH /v1/service-proposals/{id}', {
      params: { id },
      headers: { 'If-Match': `"${first.version}"` },
      body: { title: 'Warehouse setup, revised', lineItems: [lines[1]] },
    });
    view = await dashboard('GET /v1/service-proposals/{id}', revised.position, { params: { id } });
    expect(view.body).toMatchObject({ title: 'Warehouse setup, revised', totalMinor: '150000' });
    await refused(
      commands,
      'POST /v1/service-proposals/{id}/accept',
      { params: { id } },
      409,
      'proposal-not-submitted',
    );
    await refused(
      commands,
      'POST /v1/service-proposals/{id}/reject',
      { params: { id }, body: { reason: 'Too early' } },
      409,
      'proposal-not-submitted',
    );

    await accepted('POST /v1/service-proposals/{id}/submit', { params: { id } });
    await refused(
      commands,
      'PATCH /v1/service-proposals/{id}',
      { params: { id }, body: { title: 'Late' } },
      409,
      'proposal-not-draft',
    );
    await refused(commands, 'POST /v1/service-proposals/{id}/submit', { params: { id } }, 409, 'proposal-not-draft');
    const acceptance = await accepted('POST /v1/service-proposals/{id}/accept', { params: { id } });
    view = await dashboard('GET /v1/service-proposals/{id}', acceptance.position, { params: { id } });
    expect(view.body).toMatchObject({ status: 'accepted', version: 4 });
    expect(view.body.decidedAt).not.toBeNull();
    await refused(commands, 'POST /v1/service-proposals/{id}/withdraw', { params: { id } }, 409, 'proposal-not-open');

    const second = await draft('Second opinion');
    await accepted('POST /v1/service-proposals/{id}/submit', { params: { id: second.id } });
    const rejection = await refused(
      commands,
      'POST /v1/service-proposals/{id}/reject',
      { params: { id: second.id }, body: { reason: ' ' } },
      400,
    );
    expect(rejection.errors?.map((error) => error.field)).toEqual(['reason']);
    const rejected = await accepted('POST /v1/service-proposals/{id}/reject', {
      params: { id: second.id },
      body: { reason: 'Over budget' },
    });
    view = await dashboard('GET /v1/service-proposals/{id}', rejected.position, { params: { id: second.id } });
    expect(view.body).toMatchObject({ status: 'rejected', rejectionReason: 'Over budget' });

    const third = await draft('Never mind');
    const withdrawn = await accepted('POST /v1/service-proposals/{id}/withdraw', { params: { id: third.id } });
    view = await dashboard('GET /v1/service-proposals/{id}', withdrawn.position, { params: { id: third.id } });
    expect(view.body.status).toBe('withdrawn');

    await refused(
      commands,
      'POST /v1/service-proposals',
      { body: { clientId: 'walk-no-such-client', title: 'x', lineItems: lines, validUntil: inDays(30) } },
      422,
      'client-not-found',
    );

    const byTotal = await dashboard<Page>('GET /v1/service-proposals', withdrawn.position, {
      query: { clientId, sort: '-total' },
    });
    expect(byTotal.body.items.map((item) => item.status).sort()).toEqual(['accepted', 'rejected', 'withdrawn']);
    const overview = await dashboard<Record<string, unknown>>(
      'GET /v1/clients/{clientId}/overview',
      withdrawn.position,
      {
        params: { clientId },
      },
    );
    expect(overview.body).toMatchObject({
      connectors: { total: 2 },
      proposals: { total: 3, byStatus: { accepted: 1, rejected: 1, withdrawn: 1 } },
      acceptedTotalMinor: '150000',
    });
  });

  /** A valid body for each command that takes one (the rest take none). */
  const VALID_BODIES: Record<string, () => unknown> = {
    'POST /v1/client-configs': () => ({
      clientId: `walk-${randomUUID().slice(0, 8)}`,
      displayName: 'Probe',
      timezone: 'UTC',
      currency: 'USD',
    }),
    'PATCH /v1/client-configs/{id}': () => ({ settings: { probe: 1 } }),
    'PUT /v1/client-configs/{id}/feature-flags/{flag}': () => ({ enabled: true }),
    'POST /v1/connector-profiles': () => ({
      clientId,
      name: `Probe ${randomUUID()}`,
      kind: 'rest_api',
      config: { baseUrl: 'https://api.example.com' },
    }),
    'PATCH /v1/connector-profiles/{id}': () => ({ tags: ['probe'] }),
    'POST /v1/service-proposals': () => ({
      clientId,
      title: 'Probe',
      lineItems: [{ sku: 'P', description: 'p', quantity: 1, unitPriceMinor: 1 }],
      validUntil: inDays(30),
    }),
    'PATCH /v1/service-proposals/{id}': () => ({ title: 'Probe' }),
    'POST /v1/service-proposals/{id}/reject': () => ({ reason: 'Probe' }),
  };

  it('every command answers each documented error as a problem document, writing nothing', async () => {
    const commandOperations = [...commands.operations].filter((operation) =>
      /^(POST|PATCH|PUT|DELETE) \/v1\/(client-configs|connector-profiles|service-proposals)/.test(operation),
    );
    // A new command fails here first: give it a valid body in VALID_BODIES if it takes one.
    expect(commandOperations).toHaveLength(15);
    const existingStream: Record<string, string> = {
      'client-configs': clientConfigId,
      'connector-profiles': profileId,
      'service-proposals': acceptedProposalId,
    };
    const aKeyAlreadyUsed = acknowledged[0].key;
    const head = async () =>
      (await commands.call<{ head: string }>('GET /v1/events', { query: { limit: '1' } })).body.head;
    const headBefore = await head();

    for (const operation of commandOperations) {
      const resource = operation.split('/')[2];
      const creates = !operation.includes('{id}');
      const body = VALID_BODIES[operation]?.();
      const params = (id: string): Record<string, string> => (creates ? {} : { id, flag: 'beta' });
      const on = (id = existingStream[resource]) => ({ params: params(id), body });

      await refused(commands, operation, { ...on(), headers: { 'Idempotency-Key': aKeyAlreadyUsed } }, 422);
      // The same fields as a form or as text: JSON is the only documented request media type.
      const fields = new URLSearchParams(
        Object.entries((body ?? {}) as Record<string, unknown>).map(([name, value]): [string, string] => [
          name,
          String(value),
        ]),
      ).toString();
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
        await refused(
          commands,
          operation,
          { params: params(existingStream[resource]), rawBody: fields, headers: { 'content-type': contentType } },
          415,
        );
      }
      await refused(
        commands,
        operation,
        { params: params(existingStream[resource]), body: { padding: 'x'.repeat(300_000) } },
        413,
      );
      await refused(
        commands,
        operation,
        { ...on(), rawBody: '{"broken":', headers: { 'content-type': 'application/json' }, body: undefined },
        400,
      );
      if (creates) {
        const problem = await refused(commands, operation, { body: {} }, 400, 'validation-error');
        expect(problem.errors?.length).toBeGreaterThan(0);
        continue;
      }
      await refused(
        commands,
        operation,
        { ...on(), headers: { 'If-Match': 'not a version' } },
        400,
        'validation-error',
      );
      await refused(commands, operation, on('not-a-uuid'), 400);
      await refused(commands, operation, on('a'.repeat(101)), 414);
      await refused(commands, operation, on(randomUUID()), 404, 'not-found');
      const stale = await refused(
        commands,
        operation,
        { ...on(), headers: { 'If-Match': '"999"' } },
        409,
        'version-conflict',
      );
      expect(stale.currentVersion).toEqual(expect.any(Number));
    }

    expect(await head()).toBe(headBefore);
  });

  it('serves streams, the event feed, parked events and the AsyncAPI document as documented', async () => {
    const stream = await commands.call<{ version: number; events: { streamVersion: number }[] }>(
      'GET /v1/streams/{type}/{id}',
      { params: { type: 'connector-profile', id: profileId } },
    );
    expect(stream.status).toBe(200);
    expect(stream.body.events.map((event) => event.streamVersion)).toEqual(
      Array.from({ length: stream.body.version }, (_, i) => i + 1),
    );
    await refused(commands, 'GET /v1/streams/{type}/{id}', { params: { type: 'nope', id: profileId } }, 400);
    await refused(
      commands,
      'GET /v1/streams/{type}/{id}',
      { params: { type: 'client-config', id: randomUUID() } },
      404,
      'not-found',
    );

    const firstPage = await commands.call<{ events: { position: string }[]; next: string; head: string }>(
      'GET /v1/events',
      { query: { after: '0', limit: '5' } },
    );
    expect(firstPage.status).toBe(200);
    expect(firstPage.body.events).toHaveLength(5);
    const nextPage = await commands.call<{ events: { position: string }[] }>('GET /v1/events', {
      query: { after: firstPage.body.next, limit: '5' },
    });
    expect(nextPage.body.events.map((event) => event.position)).not.toContain(firstPage.body.next);
    await refused(commands, 'GET /v1/events', { query: { after: 'abc' } }, 400);
    await refused(commands, 'GET /v1/events', { query: { after: '999999999999' } }, 404, 'not-found');

    const parked = await commands.call<{ parked: unknown[] }>('GET /v1/admin/outbox/parked');
    expect(parked).toMatchObject({ status: 200, body: { parked: [] } });
    await refused(
      commands,
      'POST /v1/admin/outbox/parked/{outboxId}/retry',
      { params: { outboxId: '1' } },
      404,
      'not-found',
    );
    await refused(commands, 'POST /v1/admin/outbox/parked/{outboxId}/retry', { params: { outboxId: 'abc' } }, 400);

    const asyncApi = await commands.call<{ asyncapi: string }>('GET /asyncapi.json');
    expect(asyncApi.body.asyncapi).toMatch(/^3\./);
  });

  it("the dashboard's documented refusals: unknown ids, invalid parameters and headers", async () => {
    const last = acknowledged[acknowledged.length - 1];
    for (const operation of ['GET /v1/connector-profiles/{id}', 'GET /v1/service-proposals/{id}']) {
      await refused(queries, operation, { params: { id: randomUUID() } }, 404, 'not-found');
      await refused(queries, operation, { params: { id: 'not-a-uuid' } }, 400);
    }
    await refused(
      queries,
      'GET /v1/clients/{clientId}/overview',
      { params: { clientId: 'walk-nobody' } },
      404,
      'not-found',
    );
    await refused(queries, 'GET /v1/clients/{clientId}/overview', { params: { clientId: 'Not_A_Slug' } }, 400);
    for (const operation of ['GET /v1/clients', 'GET /v1/connector-profiles', 'GET /v1/service-proposals']) {
      await refused(queries, operation, { query: { limit: '0' } }, 400, 'validation-error');
      await refused(queries, operation, { query: { cursor: 'not-a-cursor' } }, 400, 'validation-error');
      await refused(queries, operation, { headers: { 'X-Min-Position': 'latest' } }, 400, 'validation-error');
      await refused(
        queries,
        operation,
        { headers: { 'X-Min-Position': last.position, 'X-Max-Wait-Ms': 'soon' } },
        400,
        'validation-error',
      );
    }
    const everyClient = await dashboard<Page<{ clientId: string }>>('GET /v1/clients', last.position);
    expect(everyClient.body.items.map((item) => item.clientId)).toContain(clientId);
  });

  it('rebuilds the read models through the admin endpoints', async () => {
    await refused(queries, 'GET /v1/admin/projections/rebuild', {}, 404, 'not-found');
    await refused(
      queries,
      'POST /v1/admin/projections/{name}/rebuild',
      { params: { name: 'nope' } },
      404,
      'unknown-projection-set',
    );

    // Another rebuild (the CLI, another instance) holds the lock: this one is refused.
    const holder = new Client({ connectionString: readScratch.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1::bigint)`, [REBUILD_MUTEX_KEY]);
      await refused(
        queries,
        'POST /v1/admin/projections/{name}/rebuild',
        { params: { name: 'all' } },
        409,
        'rebuild-in-progress',
      );
    } finally {
      await holder.end();
    }

    const started = await queries.call<{ phase: string }>('POST /v1/admin/projections/{name}/rebuild', {
      params: { name: 'all' },
    });
    expect(started.status).toBe(202);
    let status: { phase: string; result: { events: number } | null } | undefined;
    await eventually(async () => {
      status = (await queries.call<NonNullable<typeof status>>('GET /v1/admin/projections/rebuild')).body;
      return status.phase === 'done' || status.phase === 'failed';
    }, 60_000);
    expect(status?.phase).toBe('done');
    expect(status?.result?.events).toBeGreaterThanOrEqual(acknowledged.length);

    const last = acknowledged[acknowledged.length - 1];
    const after = await dashboard('GET /v1/service-proposals/{id}', last.position, {
      params: { id: acceptedProposalId },
    });
    expect(after.body.status).toBe('accepted');
  });

  it('dead letters: listed, retried, skipped; the documented refusals', async () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const poison: string[] = [randomUUID(), randomUUID()];
    for (const streamId of poison) {
      poisonKeys.add(streamId);
      await producer.send({
        topic: topics.eventsOf('client-config'),
        messages: [
          {
            key: streamId,
            value: JSON.stringify({ id: randomUUID(), type: 'client-config.teleported', schemaVersion: 1, streamId }),
          },
        ],
      });
    }
    await producer.disconnect();

    let open: DeadLetter[] = [];
    await eventually(async () => {
      const page = await queries.call<Page<DeadLetter>>('GET /v1/admin/dead-letters', { query: { status: 'open' } });
      open = page.body.items.filter((letter) => poison.includes(letter.streamId ?? ''));
      return open.length === poison.length;
    }, 30_000);
    const [first, second] = open;

    const retried = await queries.call<{ status: string; outcome: string }>('POST /v1/admin/dead-letters/{id}/retry', {
      params: { id: first.id },
    });
    expect(retried).toMatchObject({ status: 200, body: { status: 'open', outcome: 'failed' } });
    const skipped = await queries.call<{ status: string }>('POST /v1/admin/dead-letters/{id}/skip', {
      params: { id: first.id },
    });
    expect(skipped).toMatchObject({ status: 200, body: { status: 'skipped' } });
    await refused(
      queries,
      'POST /v1/admin/dead-letters/{id}/skip',
      { params: { id: first.id } },
      409,
      'dead-letter-not-open',
    );
    await refused(
      queries,
      'POST /v1/admin/dead-letters/{id}/retry',
      { params: { id: first.id } },
      409,
      'dead-letter-not-open',
    );
    expect((await queries.call('POST /v1/admin/dead-letters/{id}/skip', { params: { id: second.id } })).status).toBe(
      200,
    );

    for (const operation of ['POST /v1/admin/dead-letters/{id}/retry', 'POST /v1/admin/dead-letters/{id}/skip']) {
      await refused(queries, operation, { params: { id: '999999999' } }, 404, 'not-found');
      await refused(queries, operation, { params: { id: 'abc' } }, 400, 'validation-error');
    }
    const stillOpen = await queries.call<Page<DeadLetter>>('GET /v1/admin/dead-letters', { query: { status: 'open' } });
    expect(stillOpen.body.items).toEqual([]);
    await refused(queries, 'GET /v1/admin/dead-letters', { query: { status: 'lost' } }, 400, 'validation-error');
  });

  it('both apps are live and ready', async () => {
    for (const walk of [commands, queries]) {
      expect((await walk.call('GET /health/live')).status).toBe(200);
      expect((await walk.call('GET /health/ready')).status).toBe(200);
    }
  });

  it("the downstream consumer got every acknowledged command's events, each matching the published schemas", async () => {
    const schemas = await eventSchemasOf(commandApi.baseUrl);
    const messages = () => collectors.flatMap((collector) => collector.messages);
    const latestVersion = new Map<string, number>();
    for (const { id, version } of acknowledged) latestVersion.set(id, Math.max(version, latestVersion.get(id) ?? 0));
    const versionsSeen = (streamId: string) =>
      collectors.flatMap((collector) => collector.firstSeenVersions(streamId)).sort((a, b) => a - b);
    await eventually(
      async () => [...latestVersion].every(([streamId, version]) => versionsSeen(streamId).length >= version),
      30_000,
    );
    for (const [streamId, version] of latestVersion) {
      expect({ streamId, versions: versionsSeen(streamId) }).toEqual({
        streamId,
        versions: Array.from({ length: version }, (_, i) => i + 1),
      });
    }
    const fromCommandApi = messages().filter((message) => !poisonKeys.has(message.key ?? ''));
    expect(fromCommandApi.flatMap((message) => schemas.problemsOf(message))).toEqual([]);
    expect(fromCommandApi.length).toBeGreaterThanOrEqual(acknowledged.length);
  });

  it('walked every operation of both OpenAPI documents', () => {
    expect({ commandApi: commands.unwalked(), queryApi: queries.unwalked() }).toEqual({ commandApi: [], queryApi: [] });
  });
});
