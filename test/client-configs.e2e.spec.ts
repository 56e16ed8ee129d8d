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
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** Client configurations through command-api's HTTP API, as a client service would use it. */
describe('client configs over HTTP', () => {
  let setup: CommandApiOnScratch;
  let app: AppProcess;
  let events: EventCollector;
  let db: Client;

  beforeAll(async () => {
    setup = await commandApiOnScratch('client_configs', 'client-config');
    ({ app, events, db } = setup);
  });

  afterAll(() => setup?.stop());

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/v1/client-configs${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });

  const newClient = (clientId = `client-${randomUUID().slice(0, 8)}`) => ({
    clientId,
    displayName: 'Acme',
    timezone: 'Europe/Paris',
    currency: 'EUR',
    settings: { theme: { colour: 'blue' } },
  });

  it('creates, patches settings with If-Match, archives; then refuses changes', async () => {
    const created = await send('POST', '', newClient(), { 'X-Correlation-Id': 'corr-lifecycle' });
    expect(created.status).toBe(201);
    const { id, version, position } = await jsonOf<Accepted>(created);
    expect({ version, etag: created.headers.get('etag') }).toEqual({ version: 1, etag: '"1"' });
    expect(BigInt(position)).toBeGreaterThan(0n);

    const patched = await send(
      'PATCH',
      `/${id}`,
      { settings: { theme: { colour: null, mode: 'dark' } } },
      { 'If-Match': '"1"' },
    );
    expect(await jsonOf<Accepted>(patched)).toMatchObject({ id, version: 2 });

    const archived = await send('POST', `/${id}/archive`, undefined, { 'If-Match': '"2"' });
    expect(archived.status).toBe(200);

    const refused = await send('PATCH', `/${id}`, { settings: { a: 1 } });
    expect(refused.status).toBe(409);
    expect((await jsonOf<Problem>(refused)).type).toMatch(/\/client-archived$/);

    const [row] = (await db.query(`SELECT settings, status, version FROM client_configs WHERE id = $1`, [id])).rows;
    expect(row).toEqual({ settings: { theme: { mode: 'dark' } }, status: 'archived', version: 3 });

    await eventually(async () => events.firstSeenVersions(id).length === 3, 20_000);
    const published = events.received.filter((envelope) => envelope.streamId === id);
    expect(published.map((envelope) => envelope.type)).toEqual([
      'client-config.created',
      'client-config.settings-changed',
      'client-config.archived',
    ]);
    expect(published[0]).toMatchObject({ correlationId: 'corr-lifecycle', position, streamType: 'client-config' });

    // The audit view shows the same envelopes as Kafka carried.
    const history = await jsonOf<{ version: number; events: unknown[] }>(
      await fetch(`${app.baseUrl}/v1/streams/client-config/${id}`),
    );
    expect(history.version).toBe(3);
    expect(history.events).toEqual(published.slice(0, 3));
  });

  it('lets exactly one of 50 parallel updates with the same If-Match win; the others get 409 with the current version', async () => {
    const { id } = await jsonOf<Accepted>(await send('POST', '', newClient()));

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send('PATCH', `/${id}`, { settings: { writer: i } }, { 'If-Match': '"1"' })),
    );

    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    const conflicts = await Promise.all(responses.filter((r) => r.status === 409).map((r) => jsonOf<Problem>(r)));
    expect(new Set(conflicts.map((problem) => problem.currentVersion))).toEqual(new Set([2]));
    const { rows } = await db.query(`SELECT count(*)::int AS events FROM events WHERE stream_id = $1`, [id]);
    expect(rows[0].events).toBe(2);
  });

  describe('with an Idempotency-Key', () => {
    const eventCount = async () => (await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n as number;

    it('answers a repeat with the first response and writes nothing', async () => {
      const key = randomUUID();
      const body = newClient();
      const first = await send('POST', '', body, { 'Idempotency-Key': key });
      const written = await eventCount();
      const repeat = await send('POST', '', body, { 'Idempotency-Key': key });

      expect(repeat.status).toBe(201);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(await jsonOf<Accepted>(repeat)).toEqual(await jsonOf<Accepted>(first));
      expect(await eventCount()).toBe(written);
    });

    it('runs 20 concurrent identical requests once and answers all of them alike', async () => {
      const key = randomUUID();
      const body = newClient();
      const before = await eventCount();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => send('POST', '', body, { 'Idempotency-Key': key })),
      );
      const bodies = await Promise.all(responses.map((response) => jsonOf<Accepted>(response)));

      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
      expect(new Set(bodies.map((accepted) => accepted.id)).size).toBe(1);
      expect(await eventCount()).toBe(before + 1);
    });

    it('refuses the same key with another request (422)', async () => {
      const key = randomUUID();
      await send('POST', '', newClient(), { 'Idempotency-Key': key });
      const other = await send('POST', '', newClient(), { 'Idempotency-Key': key });
      expect(other.status).toBe(422);
      expect((await jsonOf<Problem>(other)).type).toMatch(/\/idempotency-key-reused$/);
    });

    it('rejects a malformed key (400)', async () => {
      const response = await send('POST', '', newClient(), { 'Idempotency-Key': 'has spaces in it' });
      expect(response.status).toBe(400);
    });
  });

  it('answers bad requests with problem documents and writes nothing', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
    const cases: [string, Response, number][] = [
      ['unknown field', await send('POST', '', { ...newClient(), isAdmin: true }), 400],
      ['bad time zone', await send('POST', '', { ...newClient(), timezone: 'Mars/Olympus' }), 400],
      ['bad currency', await send('POST', '', { ...newClient(), currency: 'XYZ' }), 400],
      ['bad slug', await send('POST', '', { ...newClient('Not A Slug') }), 400],
      ['settings not an object', await send('POST', '', { ...newClient(), settings: [1] }), 400],
      ['malformed JSON', await send('POST', '', '{"clientId":'), 400],
      ['wrong content type', await send('POST', '', 'a,b', { 'content-type': 'text/csv' }), 415],
      ['body over 256 KiB', await send('POST', '', { ...newClient(), settings: { x: 'x'.repeat(300_000) } }), 413],
      ['unknown client', await send('POST', `/${randomUUID()}/archive`), 404],
      ['id not a UUID', await send('POST', '/not-a-uuid/archive'), 400],
      ['unknown stream type', await fetch(`${app.baseUrl}/v1/streams/nonsense/${randomUUID()}`), 400],
      ['unknown stream', await fetch(`${app.baseUrl}/v1/streams/client-config/${randomUUID()}`), 404],
      [
        'If-Match not a version',
        await send('POST', `/${randomUUID()}/archive`, undefined, { 'If-Match': 'yesterday' }),
        400,
      ],
      [
        'taken clientId',
        await (async () => {
          const body = newClient();
          await send('POST', '', body);
          return send('POST', '', body);
        })(),
        409,
      ],
    ];
    for (const [what, response, status] of cases) {
      expect({ what, status: response.status, type: response.headers.get('content-type') }).toEqual({
        what,
        status,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    }
    const after = (await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
    expect(after - before).toBe(1); // only the first create of the taken-clientId case
  });

  it('pages through the whole store with GET /v1/events, every event once', async () => {
    await Promise.all(Array.from({ length: 5 }, () => send('POST', '', newClient())));
    const feed: { id: string; position: string }[] = [];
    let after = '0';
    for (;;) {
      const page = await jsonOf<{ events: { id: string; position: string }[]; next: string; head: string }>(
        await fetch(`${app.baseUrl}/v1/events?after=${after}&limit=3`),
      );
      expect(BigInt(page.head)).toBeGreaterThanOrEqual(BigInt(page.events.at(-1)?.position ?? '0'));
      if (page.events.length === 0) break;
      expect(page.events.length).toBeLessThanOrEqual(3);
      feed.push(...page.events);
      after = page.next;
    }
    const { rows } = await db.query(`SELECT event_id AS id, position::text AS position FROM events`);
    expect(feed).toHaveLength(rows.length);
    expect(new Set(feed.map((event) => event.id))).toEqual(new Set(rows.map((row) => row.id)));

    for (const bad of ['after=-1', 'after=abc', 'limit=0', 'limit=1001', 'limit=x', 'since=1']) {
      const response = await fetch(`${app.baseUrl}/v1/events?${bad}`);
      expect([bad, response.status]).toEqual([bad, 400]);
    }
    expect((await fetch(`${app.baseUrl}/v1/events?after=999999999`)).status).toBe(404);
  });

  it('counts commands by type and outcome and times them in /metrics', async () => {
    const metric = async (pattern: RegExp) => {
      const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    const sample = (name: string, command: string, outcome: string) =>
      new RegExp(`^${name}\\{[^}]*command="${command}",outcome="${outcome}"[^}]*\\} (\\d+)`, 'm');
    const accepted = sample('commands_total', 'CreateClientConfig', 'accepted');
    const rejected = sample('commands_total', 'CreateClientConfig', 'rejected');
    const conflicts = sample('commands_total', 'ChangeClientConfigSettings', 'conflict');
    const timed = sample('command_duration_seconds_count', 'CreateClientConfig', 'accepted');
    const before = await Promise.all([accepted, rejected, conflicts, timed].map(metric));

    const { id } = await jsonOf<Accepted>(await send('POST', '', newClient()));
    await send('POST', '', { ...newClient(), unknownField: 1 });
    await send('PATCH', `/${id}`, { settings: { a: 1 } }, { 'If-Match': '"7"' });

    const after = await Promise.all([accepted, rejected, conflicts, timed].map(metric));
    expect(after.map((value, i) => value - before[i])).toEqual([1, 1, 1, 1]);
  });
});
