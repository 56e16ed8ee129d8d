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
}

/** The write-model table of each stream type: one row per stream, at the stream's version. */
export const WRITE_MODELS: Record<string, string> = { 'client-config': 'client_configs' };

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
      clientId: fc.oneof(
        jsonOtherThan('string'),
        fc.constantFrom('', 'Not A Slug', '-leading', 'trailing-', 'ünicode', 'a'.repeat(65)),
      ),
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
];
