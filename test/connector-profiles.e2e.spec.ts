import { connectorProfileContract, EventEnvelope } from '@analytics/contracts';
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
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { SecretBox } from '../apps/command-api/src/secrets/secret-box';

/** Connector profiles through command-api's HTTP API, as a client service would use it. */
describe('connector profiles over HTTP', () => {
  const key = randomBytes(32);
  let setup: CommandApiOnScratch;
  let app: AppProcess;
  let events: EventCollector;
  let db: Client;

  beforeAll(async () => {
    setup = await commandApiOnScratch('connector_profiles', 'connector-profile', {
      SECRETS_ENCRYPTION_KEY: key.toString('base64'),
      // As much logging as there is: a secret must not be in any of it.
      LOG_LEVEL: 'trace',
    });
    ({ app, events, db } = setup);
  });

  afterAll(() => setup?.stop());

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/v1/connector-profiles${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** A client (slug) through the client-config API; archived if asked. */
  const newClient = async (archived = false) => {
    const clientId = `client-${randomUUID().slice(0, 8)}`;
    const created = await fetch(`${app.baseUrl}/v1/client-configs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, displayName: 'Acme', timezone: 'Europe/Paris', currency: 'EUR' }),
    });
    expect(created.status).toBe(201);
    if (archived) {
      const { id } = await jsonOf<Accepted>(created);
      expect((await fetch(`${app.baseUrl}/v1/client-configs/${id}/archive`, { method: 'POST' })).status).toBe(200);
    }
    return clientId;
  };

  const postgresConfig = { host: 'db.internal', port: 5432, database: 'orders', username: 'reader' };
  const postgresProfile = (clientId: string, name = `orders-${randomUUID().slice(0, 6)}`) => ({
    clientId,
    name,
    kind: 'postgres',
    config: postgresConfig,
    tags: ['finance', 'eu'],
  });

  const problemOf = async (response: Response) => ({ ...(await jsonOf<Problem>(response)), status: response.status });
  const eventCount = async () => (await db.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n as number;

  it('registers, updates with If-Match, disables, enables, archives; then refuses every command', async () => {
    const clientId = await newClient();
    const registered = await send('POST', '', postgresProfile(clientId, 'Orders'), {
      'X-Correlation-Id': 'corr-connector',
    });
    expect(registered.status).toBe(201);
    const { id, version, position } = await jsonOf<Accepted>(registered);
    expect(registered.headers.get('location')).toBe(`/v1/connector-profiles/${id}`);
    expect({ version, etag: registered.headers.get('etag') }).toEqual({ version: 1, etag: '"1"' });
    expect(BigInt(position)).toBeGreaterThan(0n);

    const updated = await send(
      'PATCH',
      `/${id}`,
      { name: 'Orders (replica)', tags: ['finance'] },
      { 'If-Match': '"1"' },
    );
    expect(await jsonOf<Accepted>(updated)).toMatchObject({ id, version: 2 });

    const disabled = await jsonOf<Accepted>(await send('POST', `/${id}/disable`, undefined, { 'If-Match': '"2"' }));
    expect(disabled.version).toBe(3);
    // Disabling a disabled profile, enabling an enabled one: success, nothing recorded.
    const again = await send('POST', `/${id}/disable`);
    expect(again.status).toBe(200);
    expect(await jsonOf<Accepted>(again)).toEqual(disabled);
    const enabled = await jsonOf<Accepted>(await send('POST', `/${id}/enable`));
    expect(enabled.version).toBe(4);
    expect((await jsonOf<Accepted>(await send('POST', `/${id}/enable`))).version).toBe(4);
    // The same values again: nothing changed, nothing recorded.
    expect((await jsonOf<Accepted>(await send('PATCH', `/${id}`, { config: postgresConfig }))).version).toBe(4);

    const archived = await send('POST', `/${id}/archive`, undefined, { 'If-Match': '"4"' });
    expect(await jsonOf<Accepted>(archived)).toMatchObject({ version: 5 });

    for (const refused of [
      await send('PATCH', `/${id}`, { name: 'x' }),
      await send('POST', `/${id}/enable`),
      await send('POST', `/${id}/disable`),
      await send('POST', `/${id}/archive`),
    ]) {
      expect(await problemOf(refused)).toMatchObject({
        status: 409,
        type: expect.stringMatching(/\/connector-archived$/),
      });
    }

    const [row] = (
      await db.query(
        `SELECT client_id, name, kind, config, encrypted_secrets, tags, status, version FROM connector_profiles WHERE id = $1`,
        [id],
      )
    ).rows;
    expect(row).toEqual({
      client_id: clientId,
      name: 'Orders (replica)',
      kind: 'postgres',
      config: postgresConfig,
      encrypted_secrets: null,
      tags: ['finance'],
      status: 'archived',
      version: 5,
    });

    await eventually(async () => events.firstSeenVersions(id).length === 5, 20_000);
    const published = events.received.filter((envelope) => envelope.streamId === id).slice(0, 5);
    expect(published.map((envelope) => envelope.type)).toEqual([
      'connector-profile.registered',
      'connector-profile.updated',
      'connector-profile.disabled',
      'connector-profile.enabled',
      'connector-profile.archived',
    ]);
    expect(published[0]).toMatchObject({
      correlationId: 'corr-connector',
      position,
      streamType: 'connector-profile',
      data: { clientId, name: 'Orders', kind: 'postgres', secrets: null, secretNames: [] },
    });
    expect(published[1].data).toEqual({ name: 'Orders (replica)', tags: ['finance'] });
    expectMatchesContract(published);
  });

  it('refuses an unknown client (422) and an archived one (409)', async () => {
    const before = await eventCount();
    expect(await problemOf(await send('POST', '', postgresProfile('no-such-client')))).toMatchObject({
      status: 422,
      type: expect.stringMatching(/\/client-not-found$/),
    });
    expect(await problemOf(await send('POST', '', postgresProfile(await newClient(true))))).toMatchObject({
      status: 409,
      type: expect.stringMatching(/\/client-archived$/),
    });
    expect(await eventCount()).toBe(before + 2); // the archived client's own two events
  });

  it('keeps names unique per client among non-archived profiles; archiving frees the name', async () => {
    const clientId = await newClient();
    const { id } = await jsonOf<Accepted>(await send('POST', '', postgresProfile(clientId, 'Warehouse')));

    expect(await problemOf(await send('POST', '', postgresProfile(clientId, 'Warehouse')))).toMatchObject({
      status: 409,
      type: expect.stringMatching(/\/connector-name-taken$/),
    });
    // Renaming another profile to it is refused alike; another client may use the name.
    const { id: other } = await jsonOf<Accepted>(await send('POST', '', postgresProfile(clientId, 'Other')));
    expect((await send('PATCH', `/${other}`, { name: 'Warehouse' })).status).toBe(409);
    expect((await send('POST', '', postgresProfile(await newClient(), 'Warehouse'))).status).toBe(201);

    expect((await send('POST', `/${id}/archive`)).status).toBe(200);
    expect((await send('POST', '', postgresProfile(clientId, 'Warehouse'))).status).toBe(201);
    const { rows } = await db.query(
      `SELECT status, count(*)::int AS n FROM connector_profiles WHERE client_id = $1 AND name = 'Warehouse' GROUP BY status ORDER BY status`,
      [clientId],
    );
    expect(rows).toEqual([
      { status: 'active', n: 1 },
      { status: 'archived', n: 1 },
    ]);
  });

  it('validates config and secrets by kind with field paths, and writes nothing', async () => {
    const clientId = await newClient();
    const { id } = await jsonOf<Accepted>(await send('POST', '', postgresProfile(clientId)));
    const before = await eventCount();
    const { host: _, ...noHost } = postgresConfig;
    const cases: [string, Response, string[]][] = [
      [
        'postgres without host',
        await send('POST', '', { ...postgresProfile(clientId), config: noHost }),
        ['config.host'],
      ],
      [
        'port out of range',
        await send('POST', '', { ...postgresProfile(clientId), config: { ...postgresConfig, port: 70000 } }),
        ['config.port'],
      ],
      [
        'unknown config field',
        await send('POST', '', { ...postgresProfile(clientId), config: { ...postgresConfig, colour: 'red' } }),
        ['config.colour'],
      ],
      ['unknown kind', await send('POST', '', { ...postgresProfile(clientId), kind: 'oracle' }), ['kind']],
      [
        "another kind's config",
        await send('POST', '', { ...postgresProfile(clientId), kind: 's3' }),
        expect.arrayContaining(['config.bucket', 'config.host']) as unknown as string[],
      ],
      [
        'rest_api over http',
        await send('POST', '', { ...postgresProfile(clientId), kind: 'rest_api', config: { baseUrl: 'http://x.io' } }),
        ['config.baseUrl'],
      ],
      [
        'credentials in rest_api headers',
        await send('POST', '', {
          ...postgresProfile(clientId),
          kind: 'rest_api',
          config: { baseUrl: 'https://x.io', headers: { Authorization: 'Bearer abc' } },
        }),
        ['config.headers'],
      ],
      [
        'kafka broker without port',
        await send('POST', '', { ...postgresProfile(clientId), kind: 'kafka', config: { brokers: ['k1'] } }),
        ['config.brokers'],
      ],
      [
        'secret of another kind',
        await send('POST', '', { ...postgresProfile(clientId), secrets: { token: 'abc' } }),
        ['secrets.token'],
      ],
      ['bad tag', await send('POST', '', { ...postgresProfile(clientId), tags: ['Not A Slug'] }), ['tags']],
      ['unknown top-level field', await send('POST', '', { ...postgresProfile(clientId), owner: 'me' }), ['owner']],
      [
        'update with an s3 config on a postgres profile',
        await send('PATCH', `/${id}`, { config: { bucket: 'acme-data', region: 'eu-west-3' } }),
        expect.arrayContaining(['config.bucket', 'config.region', 'config.host']) as unknown as string[],
      ],
      ['kind cannot change', await send('PATCH', `/${id}`, { kind: 's3' }), ['kind']],
      [
        'null members of an update (left out, not null)',
        await send('PATCH', `/${id}`, { name: null, config: null, tags: null, secrets: null }),
        expect.arrayContaining(['name', 'config', 'tags', 'secrets']) as unknown as string[],
      ],
    ];
    for (const [what, response, fields] of cases) {
      const problem = await problemOf(response);
      expect({
        what,
        status: problem.status,
        contentType: response.headers.get('content-type'),
        type: problem.type,
        fields: [...new Set(problem.errors?.map((error) => error.field))],
      }).toEqual({
        what,
        status: 400,
        contentType: expect.stringMatching(/^application\/problem\+json/),
        type: expect.stringMatching(/\/validation-error$/),
        fields,
      });
    }
    expect(await eventCount()).toBe(before);
  });

  it('answers a stale If-Match with 409 and the current version', async () => {
    const { id } = await jsonOf<Accepted>(await send('POST', '', postgresProfile(await newClient())));
    await send('PATCH', `/${id}`, { tags: [] }, { 'If-Match': '"1"' });
    const stale = await problemOf(await send('PATCH', `/${id}`, { tags: ['late'] }, { 'If-Match': '"1"' }));
    expect(stale).toMatchObject({ status: 409, currentVersion: 2, type: expect.stringMatching(/\/version-conflict$/) });
    expect((await problemOf(await send('POST', `/${id}/disable`, undefined, { 'If-Match': '"7"' }))).status).toBe(409);
    expect((await send('POST', `/${randomUUID()}/disable`)).status).toBe(404);
  });

  it('never lets a secret out in clear: not in responses, events, tables, Kafka or logs', async () => {
    const password = `s3cr3t-${randomUUID()}`;
    const rotatedPassword = `s3cr3t-${randomUUID()}`;
    const token = `t0k3n-${randomUUID()}`;
    const rotatedToken = `t0k3n-${randomUUID()}`;
    const clear = [password, rotatedPassword, token, rotatedToken];
    const clientId = await newClient();
    const bodies: string[] = [];
    const call = async (...args: Parameters<typeof send>) => {
      const response = await send(...args);
      const text = await response.text();
      bodies.push(JSON.stringify([...response.headers]), text);
      return { status: response.status, body: JSON.parse(text) as Accepted & Problem };
    };

    const database = await call(
      'POST',
      '',
      { ...postgresProfile(clientId), secrets: { password } },
      { 'Idempotency-Key': randomUUID() },
    );
    expect(database.status).toBe(201);
    const api = await call('POST', '', {
      clientId,
      name: 'Billing API',
      kind: 'rest_api',
      config: { baseUrl: 'https://billing.example.com/v1', headers: { Accept: 'application/json' }, timeoutMs: 5000 },
      secrets: { token },
    });
    expect(api.status).toBe(201);
    expect((await call('PATCH', `/${database.body.id}`, { secrets: { password: rotatedPassword } })).status).toBe(200);
    expect((await call('PATCH', `/${api.body.id}`, { secrets: { token: rotatedToken } })).status).toBe(200);
    // The same token again: nothing changed, nothing recorded.
    expect((await call('PATCH', `/${api.body.id}`, { secrets: { token: rotatedToken } })).body.version).toBe(2);
    // A refused request does not echo the secret either.
    expect((await call('POST', '', { ...postgresProfile(clientId), secrets: { token: rotatedToken } })).status).toBe(
      400,
    );
    const audit = await fetch(`${app.baseUrl}/v1/streams/connector-profile/${api.body.id}`);
    bodies.push(await audit.text());

    // Decrypting the write model with the key gives the latest secrets back.
    const box = new SecretBox(key);
    const rows = (
      await db.query(`SELECT id, encrypted_secrets FROM connector_profiles WHERE id = ANY($1)`, [
        [database.body.id, api.body.id],
      ])
    ).rows as { id: string; encrypted_secrets: string }[];
    const opened = Object.fromEntries(rows.map((row) => [row.id, box.openMap(row.encrypted_secrets, row.id)]));
    expect(opened).toEqual({
      [database.body.id]: { password: rotatedPassword },
      [api.body.id]: { token: rotatedToken },
    });

    // The events carry the ciphertext and the names only.
    const stored = (
      await db.query(`SELECT data FROM events WHERE stream_id = $1 ORDER BY stream_version`, [api.body.id])
    ).rows as { data: Record<string, unknown> }[];
    expect(stored.map((event) => event.data)).toEqual([
      expect.objectContaining({ secrets: expect.stringMatching(/^v1:/), secretNames: ['token'] }),
      { secrets: expect.stringMatching(/^v1:/), secretNames: ['token'] },
    ]);

    await eventually(
      async () =>
        events.firstSeenVersions(database.body.id).length === 2 && events.firstSeenVersions(api.body.id).length === 2,
      20_000,
    );
    const places: Record<string, string> = {
      'HTTP responses': bodies.join('\n'),
      'events rows': await allText(`SELECT data::text, metadata::text FROM events`),
      'connector_profiles rows': await allText(`SELECT t::text FROM connector_profiles t`),
      'every table of the database': await everyTableText(),
      'Kafka messages': JSON.stringify(events.received),
      'command-api logs': app.output(),
    };
    // The places were looked at: the requests were logged, the events published.
    expect(places['command-api logs']).toContain('/v1/connector-profiles');
    expect(places['Kafka messages']).toContain('"secretNames":["token"]');
    for (const [place, text] of Object.entries(places)) {
      for (const secret of clear) expect({ place, leaked: text.includes(secret) }).toEqual({ place, leaked: false });
    }
    expectMatchesContract(
      events.received.filter((envelope) => [database.body.id, api.body.id].includes(envelope.streamId)),
    );
  });

  const allText = async (sql: string) =>
    ((await db.query(sql)).rows as Record<string, string>[]).map((row) => Object.values(row).join(' ')).join('\n');

  /** Every row of every table, as text: the secrets must be nowhere in the database. */
  async function everyTableText() {
    const { rows } = await db.query(
      `SELECT table_schema, table_name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const texts: string[] = [];
    for (const { table_schema, table_name } of rows as { table_schema: string; table_name: string }[]) {
      texts.push(await allText(`SELECT t::text FROM "${table_schema}"."${table_name}" t`));
    }
    return texts.join('\n');
  }
});

/** Every published event's data matches its JSON Schema in the contract (closed objects). */
function expectMatchesContract(envelopes: EventEnvelope[]) {
  const ajv = addFormats(new Ajv({ strict: false }));
  const validators = new Map(
    connectorProfileContract.current.map((schema) => [String(schema.$id), ajv.compile(schema)] as const),
  );
  for (const envelope of envelopes) {
    const validate = validators.get(`${envelope.type}.v${envelope.schemaVersion}`);
    expect(validate).toBeDefined();
    const valid = validate!({ type: envelope.type, schemaVersion: envelope.schemaVersion, data: envelope.data });
    expect({ type: envelope.type, errors: valid ? null : validate!.errors }).toEqual({
      type: envelope.type,
      errors: null,
    });
  }
}
