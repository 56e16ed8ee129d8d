import fc from 'fast-check';

/**
 * The command endpoints of command-api, as the crash and fuzz tests drive them. Adding an
 * endpoint to those tests is one entry here (and its write-model table in WRITE_MODELS).
 */
export interface CommandEndpoint {
  name: string;
  method: 'POST' | 'PATCH' | 'PUT';
  streamType: string;
  /** Starts a new stream (its id is made by the server); otherwise it acts on the stream `id`. */
  creates: boolean;
  /** The path under the server's base URL, for stream `id` and the path parameters `params`. */
  path(id: string, params: Record<string, string>): string;
  /** Valid path parameters besides the id, by name. */
  params: Record<string, fc.Arbitrary<string>>;
  /** Path parameters that are always refused (400 or 414), by name. */
  invalidParams: Record<string, fc.Arbitrary<string>>;
  /** A valid body; undefined when the endpoint takes none. */
  body?: fc.Arbitrary<Record<string, unknown>>;
  /** Per body field: values that are always refused (wrong type, out of range, malformed). */
  invalidFields: Record<string, fc.Arbitrary<unknown>>;
  /**
   * Creates only: a valid body whose streams every endpoint of the type accepts commands for
   * (default `body`), e.g. a connector kind that the update bodies fit.
   */
  fixtureBody?: fc.Arbitrary<Record<string, unknown>>;
  /**
   * Endpoints (by name) to apply with valid requests to a new stream before this endpoint acts on
   * it, so that a valid request would succeed there (a proposal is submitted before it is accepted).
   */
  setup?: string[];
}

/** The write-model table of each stream type: one row per stream, at the stream's version. */
export const WRITE_MODELS: Record<string, string> = {
  'client-config': 'client_configs',
  'connector-profile': 'connector_profiles',
  'service-proposal': 'service_proposals',
};

/**
 * Clients that exist before the tests send commands (each test creates them through the API):
 * connector profiles and service proposals name one of them. Never archived.
 */
export const FIXTURE_CLIENTS = ['fixture-client-a', 'fixture-client-b'].map((clientId) => ({
  clientId,
  displayName: `Fixture ${clientId}`,
  timezone: 'Europe/Paris',
  currency: 'EUR',
}));
const fixtureClientId = fc.constantFrom(...FIXTURE_CLIENTS.map((client) => client.clientId));

/** Settings keys that are plain JSON member names. */
const settingKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
/**
 * Any JSON but with no `__proto__` member, nor `constructor` with `prototype`: the body parser
 * refuses those (and fast-check does generate them).
 */
const safeJsonValue = (maxDepth: number) =>
  fc.jsonValue({ maxDepth }).filter((value) => !/"(__proto__|prototype)"/.test(JSON.stringify(value)));
/** A small JSON object: a valid settings value or merge patch. */
const settingsObject = fc.dictionary(settingKey, safeJsonValue(2), { maxKeys: 4 });
const flagName = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,15}$/);

/** Values of every JSON type but `allowed` (and never undefined). */
export const jsonOtherThan = (...allowed: ('string' | 'number' | 'boolean' | 'null' | 'array' | 'object')[]) =>
  fc.oneof(
    ...(
      [
        ['string', fc.string({ maxLength: 20 })],
        ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
        ['boolean', fc.boolean()],
        ['null', fc.constant(null)],
        ['array', fc.array(safeJsonValue(2), { maxLength: 3 })],
        ['object', fc.dictionary(settingKey, safeJsonValue(1), { maxKeys: 3 })],
      ] as const
    )
      .filter(([type]) => !allowed.includes(type))
      .map(([, arbitrary]) => arbitrary as fc.Arbitrary<unknown>),
  );

/** A string over `min` characters, up to past the 256 KiB body limit. */
const longString = (min: number) => fc.integer({ min: min + 1, max: 300_000 }).map((n) => 'x'.repeat(n));

/** A clientId that is no slug. */
const invalidSlug = fc.oneof(
  jsonOtherThan('string'),
  fc.constantFrom('', 'Not A Slug', '-leading', 'trailing-', 'ünicode', 'a'.repeat(65)),
);
/** A unique-enough display name (connector profile names are unique per client). */
const uniqueName = fc
  .tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.uuid({ version: 4 }))
  .map(([text, uuid]) => `${text} ${uuid}`);
const secret = fc.string({ minLength: 1, maxLength: 64 });
const hostName = fc.constantFrom('db.internal', 'localhost', '10.0.0.7', 'warehouse-1.example.com');
const port = fc.integer({ min: 1, max: 65535 });
const dbObjectName = fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/);

/** Config and secrets of a postgres or mysql connector (what the update bodies send). */
const databaseSettings = {
  config: fc.record(
    {
      host: hostName,
      port,
      database: dbObjectName,
      username: dbObjectName,
      sslMode: fc.constantFrom('disable', 'prefer', 'require', 'verify-ca', 'verify-full'),
    },
    { requiredKeys: ['host', 'port', 'database', 'username'] },
  ),
  secrets: fc.record({ password: secret }, { requiredKeys: [] }),
};
/** Config and secrets of each connector kind. */
const connectorSettings: Record<string, { config: fc.Arbitrary<unknown>; secrets: fc.Arbitrary<unknown> }> = {
  postgres: databaseSettings,
  mysql: databaseSettings,
  rest_api: {
    config: fc.record(
      {
        baseUrl: fc.constantFrom('https://api.example.com', 'https://api.example.com/v2', 'https://10.0.0.9:8443/x'),
        headers: fc.dictionary(fc.constantFrom('X-Tenant', 'Accept', 'User-Agent'), fc.string({ maxLength: 30 })),
        timeoutMs: fc.integer({ min: 100, max: 120_000 }),
      },
      { requiredKeys: ['baseUrl'] },
    ),
    secrets: fc.record({ token: secret }, { requiredKeys: [] }),
  },
  kafka: {
    config: fc.record(
      {
        brokers: fc.array(
          fc.tuple(hostName, port).map(([host, p]) => `${host}:${p}`),
          { minLength: 1, maxLength: 3 },
        ),
        topicPrefix: fc.stringMatching(/^[A-Za-z0-9._-]{1,30}$/),
      },
      { requiredKeys: ['brokers'] },
    ),
    secrets: fc.record({ saslUsername: secret, saslPassword: secret }, { requiredKeys: [] }),
  },
  s3: {
    config: fc.record(
      {
        bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
        region: fc.constantFrom('eu-west-3', 'us-east-1', 'ap-northeast-1'),
        prefix: fc.string({ maxLength: 40 }),
        endpoint: fc.constantFrom('https://s3.example.com', 'http://minio:9000'),
      },
      { requiredKeys: ['bucket', 'region'] },
    ),
    secrets: fc.record({ accessKeyId: secret, secretAccessKey: secret }, { requiredKeys: [] }),
  },
  sftp: {
    config: fc.record(
      { host: hostName, port, username: dbObjectName, path: fc.constantFrom('/', '/data', '/exports/daily') },
      { requiredKeys: ['host', 'port', 'username'] },
    ),
    secrets: fc.record({ password: secret, privateKey: secret, passphrase: secret }, { requiredKeys: [] }),
  },
};
const connectorTags = fc.uniqueArray(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/), { maxLength: 5 });
const connectorProfile = (kinds: string[]) =>
  fc.constantFrom(...kinds).chain((kind) =>
    fc.record(
      {
        clientId: fixtureClientId,
        name: uniqueName,
        kind: fc.constant(kind),
        config: connectorSettings[kind].config,
        tags: connectorTags,
        secrets: connectorSettings[kind].secrets,
      },
      { requiredKeys: ['clientId', 'name', 'kind', 'config'] },
    ),
  );
const invalidTags = fc.oneof(
  jsonOtherThan('array', 'null'),
  fc.constantFrom(['Not A Slug'], ['dup', 'dup'], [''], [1], [null], ['a'.repeat(51)]),
  fc.integer({ min: 21, max: 40 }).map((n) => Array.from({ length: n }, (_, i) => `tag-${i}`)),
);
/** Config objects no connector kind accepts. */
const invalidConfig = fc.constantFrom({}, { colour: 'red' }, { host: 'db', port: 0, database: 'd', username: 'u' });
/** Secret maps no connector kind accepts (unknown names, empty or non-string values). */
const invalidSecrets = fc.constantFrom({ nope: 'x' }, { password: 1 }, { password: '' }, { token: null }, { a: {} });
const connectorProfilePath =
  (suffix = '') =>
  (id: string) =>
    `/v1/connector-profiles/${id}${suffix}`;

const lineItem = fc.record({
  sku: fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,20}[A-Za-z0-9])?$/),
  description: fc.string({ minLength: 1, maxLength: 100 }),
  quantity: fc.integer({ min: 1, max: 1_000 }),
  unitPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
});
const lineItems = fc.array(lineItem, { minLength: 1, maxLength: 5 });
const validUntil = fc
  .date({ min: new Date('2031-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const invalidLineItems = fc.oneof(
  jsonOtherThan('array'),
  fc.constant([]),
  fc
    .integer({ min: 101, max: 150 })
    .map((n) => Array.from({ length: n }, () => ({ sku: 'A', description: 'a', quantity: 1, unitPriceMinor: 1 }))),
  lineItem.chain((item) =>
    fc
      .constantFrom<Record<string, unknown>>(
        { sku: 'not a sku' },
        { sku: '' },
        { description: '' },
        { description: 'x'.repeat(501) },
        { quantity: 0 },
        { quantity: 1.5 },
        { quantity: 1_000_001 },
        { quantity: '1' },
        { unitPriceMinor: -1 },
        { unitPriceMinor: 0.5 },
        { unitPriceMinor: 1_000_000_000_001 },
        { total: 5 },
      )
      .map((change) => [{ ...item, ...change }]),
  ),
  jsonOtherThan('object').map((item) => [item]),
);
const invalidValidUntil = fc.oneof(
  jsonOtherThan('string'),
  fc.constantFrom(
    '',
    'tomorrow',
    '2031-01-31',
    '2031-01-31T17:00:00',
    '2031-02-30T00:00:00Z',
    '2031-13-01T00:00:00Z',
    '2020-01-01T00:00:00Z',
    '1970-01-01T00:00:00+00:00',
  ),
);
const serviceProposalPath =
  (suffix = '') =>
  (id: string) =>
    `/v1/service-proposals/${id}${suffix}`;

const clientConfigPath =
  (suffix = '') =>
  (id: string) =>
    `/v1/client-configs/${id}${suffix}`;

export const COMMAND_ENDPOINTS: CommandEndpoint[] = [
  {
    name: 'create client config',
    method: 'POST',
    streamType: 'client-config',
    creates: true,
    path: () => '/v1/client-configs',
    params: {},
    invalidParams: {},
    body: fc.record(
      {
        clientId: fc.uuid({ version: 4 }).map((uuid) => `client-${uuid}`),
        displayName: fc.string({ minLength: 1, maxLength: 200 }),
        timezone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'),
        currency: fc.constantFrom('EUR', 'USD', 'JPY', 'GBP'),
        settings: settingsObject,
        featureFlags: fc.dictionary(flagName, fc.boolean(), { maxKeys: 3 }),
      },
      { requiredKeys: ['clientId', 'displayName', 'timezone', 'currency'] },
    ),
    invalidFields: {
      clientId: invalidSlug,
      displayName: fc.oneof(jsonOtherThan('string'), fc.constant(''), longString(200)),
      timezone: fc.oneof(jsonOtherThan('string'), fc.constantFrom('', 'Mars/Olympus', 'Europe/Nowhere', 'utc+99')),
      currency: fc.oneof(jsonOtherThan('string'), fc.constantFrom('', 'XYZ', 'EURO', 'E', '€')),
      // null counts as absent for optional fields.
      settings: jsonOtherThan('object', 'null'),
      featureFlags: fc.oneof(
        jsonOtherThan('object', 'null'),
        fc.constantFrom({ 'Not A Flag': true }, { beta: 'yes' }, { beta: 1 }, { '': true }),
      ),
    },
  },
  {
    name: 'change client config settings',
    method: 'PATCH',
    streamType: 'client-config',
    creates: false,
    path: clientConfigPath(),
    params: {},
    invalidParams: {},
    body: fc.record({ settings: settingsObject }),
    invalidFields: { settings: jsonOtherThan('object') },
  },
  {
    name: 'set client feature flag',
    method: 'PUT',
    streamType: 'client-config',
    creates: false,
    path: (id, { flag }) => `/v1/client-configs/${id}/feature-flags/${flag}`,
    params: { flag: flagName },
    invalidParams: {
      flag: fc.oneof(
        fc.constantFrom('Upper', '9starts-with-digit', '_x', '%20', 'a%2Fb', `a${'b'.repeat(64)}`, '%E0%A4%A', '%ZZ'),
        fc
          .string({ minLength: 1, maxLength: 40 })
          .map(encodeURIComponent)
          .filter((s) => !/^[a-z][a-z0-9_.-]*$/.test(s)),
        fc.integer({ min: 101, max: 3_000 }).map((n) => 'f'.repeat(n)),
      ),
    },
    body: fc.record({ enabled: fc.boolean() }),
    invalidFields: { enabled: jsonOtherThan('boolean') },
  },
  {
    name: 'archive client config',
    method: 'POST',
    streamType: 'client-config',
    creates: false,
    path: clientConfigPath('/archive'),
    params: {},
    invalidParams: {},
    invalidFields: {},
  },
  {
    name: 'register connector profile',
    method: 'POST',
    streamType: 'connector-profile',
    creates: true,
    path: () => '/v1/connector-profiles',
    params: {},
    invalidParams: {},
    body: connectorProfile(Object.keys(connectorSettings)),
    fixtureBody: connectorProfile(['postgres', 'mysql']),
    invalidFields: {
      // A slug of no client: 422.
      clientId: fc.oneof(invalidSlug, fc.constant('no-such-client')),
      name: fc.oneof(jsonOtherThan('string'), fc.constant(''), longString(200)),
      kind: fc.oneof(jsonOtherThan('string'), fc.constantFrom('', 'oracle', 'Postgres', 'rest-api')),
      config: fc.oneof(jsonOtherThan('object'), invalidConfig),
      // null counts as absent for optional fields.
      tags: invalidTags,
      secrets: fc.oneof(jsonOtherThan('object', 'null'), invalidSecrets),
    },
  },
  {
    name: 'update connector profile',
    method: 'PATCH',
    streamType: 'connector-profile',
    creates: false,
    path: connectorProfilePath(),
    params: {},
    invalidParams: {},
    body: fc.record(
      { name: uniqueName, tags: connectorTags, config: databaseSettings.config, secrets: databaseSettings.secrets },
      { requiredKeys: [] },
    ),
    // Left out, not null.
    invalidFields: {
      name: fc.oneof(jsonOtherThan('string'), fc.constant(''), longString(200)),
      config: fc.oneof(jsonOtherThan('object'), invalidConfig),
      tags: fc.oneof(invalidTags, fc.constant(null)),
      secrets: fc.oneof(jsonOtherThan('object'), invalidSecrets, fc.constant({ token: 'of another kind' })),
    },
  },
  ...(['disable', 'enable', 'archive'] as const).map((action): CommandEndpoint => ({
    name: `${action} connector profile`,
    method: 'POST',
    streamType: 'connector-profile',
    creates: false,
    path: connectorProfilePath(`/${action}`),
    params: {},
    invalidParams: {},
    invalidFields: {},
    // An enabled profile would not change: disabled first, so that a wrong acceptance writes.
    setup: action === 'enable' ? ['disable connector profile'] : undefined,
  })),
  {
    name: 'draft service proposal',
    method: 'POST',
    streamType: 'service-proposal',
    creates: true,
    path: () => '/v1/service-proposals',
    params: {},
    invalidParams: {},
    body: fc.record({
      clientId: fixtureClientId,
      title: fc.string({ minLength: 1, maxLength: 200 }),
      lineItems,
      validUntil,
    }),
    invalidFields: {
      clientId: fc.oneof(invalidSlug, fc.constant('no-such-client')),
      title: fc.oneof(jsonOtherThan('string'), fc.constant(''), longString(200)),
      lineItems: invalidLineItems,
      validUntil: invalidValidUntil,
    },
  },
  {
    name: 'revise service proposal',
    method: 'PATCH',
    streamType: 'service-proposal',
    creates: false,
    path: serviceProposalPath(),
    params: {},
    invalidParams: {},
    body: fc.record(
      { title: fc.string({ minLength: 1, maxLength: 200 }), lineItems, validUntil },
      { requiredKeys: [] },
    ),
    // Left out, not null.
    invalidFields: {
      title: fc.oneof(jsonOtherThan('string'), fc.constant(''), longString(200)),
      lineItems: fc.oneof(invalidLineItems, fc.constant(null)),
      validUntil: invalidValidUntil,
    },
  },
  ...(['submit', 'accept', 'withdraw'] as const).map((action): CommandEndpoint => ({
    name: `${action} service proposal`,
    method: 'POST',
    streamType: 'service-proposal',
    creates: false,
    path: serviceProposalPath(`/${action}`),
    params: {},
    invalidParams: {},
    invalidFields: {},
    setup: action === 'accept' ? ['submit service proposal'] : undefined,
  })),
  {
    name: 'reject service proposal',
    method: 'POST',
    streamType: 'service-proposal',
    creates: false,
    path: serviceProposalPath('/reject'),
    params: {},
    invalidParams: {},
    body: fc.record({ reason: fc.string({ maxLength: 200 }).map((text) => `Reason: ${text}`) }),
    invalidFields: {
      reason: fc.oneof(jsonOtherThan('string'), fc.constantFrom('', ' ', '\t\n '), longString(1000)),
    },
    setup: ['submit service proposal'],
  },
];
