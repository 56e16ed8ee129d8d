import { Static, Type } from '@sinclair/typebox';
import { closedObject, eventSchema, StreamContract } from './event-schema';
import { Upcaster } from './upcasting';

/**
 * Events of the `connector-profile` stream: how to reach one data source of a client. Persisted
 * and published: type strings and shapes are a contract; change a shape with a new schema version
 * and an upcaster from the old one.
 *
 * Credentials never appear in clear: events carry only the AES-256-GCM ciphertext of the secret
 * map (`secrets`) and the names of the secrets it holds (`secretNames`).
 */
export const CONNECTOR_PROFILE_STREAM = 'connector-profile' as const;

/** The kinds of data source a connector profile can describe; each has its own config shape. */
export const CONNECTOR_KINDS = ['postgres', 'mysql', 'rest_api', 'kafka', 's3', 'sftp'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Lower-case slug of 1 to 50 characters. */
export const CONNECTOR_TAG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$';
export const MAX_CONNECTOR_TAGS = 20;
/** `v1:<iv base64>:<auth tag base64>:<ciphertext base64>` (AES-256-GCM, 12-byte IV). */
export const SEALED_SECRETS_PATTERN = '^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]*=*$';
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

const Host = Type.String({ minLength: 1, maxLength: 253, description: 'Host name or IP address' });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

const DatabaseConfig = closedObject(
  {
    host: Host,
    port: Port,
    database: Type.String({ minLength: 1, maxLength: 128 }),
    username: Type.String({ minLength: 1, maxLength: 128 }),
    sslMode: Type.Optional(Type.Union(SSL_MODES.map((mode) => Type.Literal(mode)))),
  },
  'Config of kind postgres or mysql',
);
const RestApiConfig = closedObject(
  {
    baseUrl: Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 }),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String({ maxLength: 1024 }), {
        description: 'Extra request headers; never credentials (those go in the secrets)',
      }),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
  },
  'Config of kind rest_api',
);
const KafkaConfig = closedObject(
  {
    brokers: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]+:[0-9]{1,5}$', description: 'host:port' }), {
      minItems: 1,
      maxItems: 50,
    }),
    topicPrefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' })),
  },
  'Config of kind kafka',
);
const S3Config = closedObject(
  {
    bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
    region: Type.String({ pattern: '^[a-z0-9-]{2,32}$' }),
    prefix: Type.Optional(Type.String({ maxLength: 1024 })),
    endpoint: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 })),
  },
  'Config of kind s3',
);
const SftpConfig = closedObject(
  {
    host: Host,
    port: Port,
    username: Type.String({ minLength: 1, maxLength: 128 }),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 1024 })),
  },
  'Config of kind sftp',
);

/** A connector's settings: the shape depends on its kind (see the descriptions). */
const ConnectorConfig = Type.Union([DatabaseConfig, RestApiConfig, KafkaConfig, S3Config, SftpConfig], {
  description: 'Connection settings; the shape depends on the kind',
});
export type ConnectorConfig = Static<typeof ConnectorConfig>;

const Tags = Type.Array(Type.String({ pattern: CONNECTOR_TAG_PATTERN }), {
  maxItems: MAX_CONNECTOR_TAGS,
  uniqueItems: true,
});
const SealedSecrets = Type.Union([Type.String({ pattern: SEALED_SECRETS_PATTERN }), Type.Null()], {
  description: 'AES-256-GCM ciphertext of the secret map (never clear text); null: no secrets',
});
const SecretNames = Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' }), {
  uniqueItems: true,
  description: 'Names of the secrets held in `secrets` (e.g. password), never their values',
});

export const ConnectorProfileRegisteredSchema = eventSchema(
  'connector-profile.registered',
  1,
  closedObject({
    clientId: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', description: 'The client slug' }),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Unique per client among non-archived' }),
    kind: Type.Union(CONNECTOR_KINDS.map((kind) => Type.Literal(kind))),
    config: ConnectorConfig,
    tags: Tags,
    secrets: SealedSecrets,
    secretNames: SecretNames,
  }),
  'A connector profile was registered for a client.',
);
export type ConnectorProfileRegistered = Static<typeof ConnectorProfileRegisteredSchema>;

export const ConnectorProfileUpdatedSchema = eventSchema(
  'connector-profile.updated',
  1,
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      config: Type.Optional(ConnectorConfig),
      tags: Type.Optional(Tags),
      secrets: Type.Optional(SealedSecrets),
      secretNames: Type.Optional(SecretNames),
    },
    {
      additionalProperties: false,
      minProperties: 1,
      description: 'Only the fields that changed; config and secrets are replaced as a whole',
    },
  ),
  'A connector profile was changed (name, config, tags or secrets).',
);
export type ConnectorProfileUpdated = Static<typeof ConnectorProfileUpdatedSchema>;

export const ConnectorProfileDisabledSchema = eventSchema(
  'connector-profile.disabled',
  1,
  closedObject({}),
  'A connector profile was disabled.',
);
export type ConnectorProfileDisabled = Static<typeof ConnectorProfileDisabledSchema>;

export const ConnectorProfileEnabledSchema = eventSchema(
  'connector-profile.enabled',
  1,
  closedObject({}),
  'A disabled connector profile was enabled again.',
);
export type ConnectorProfileEnabled = Static<typeof ConnectorProfileEnabledSchema>;

export const ConnectorProfileArchivedSchema = eventSchema(
  'connector-profile.archived',
  1,
  closedObject({}),
  'A connector profile was archived; it accepts no further commands and its name is free again.',
);
export type ConnectorProfileArchived = Static<typeof ConnectorProfileArchivedSchema>;

export type ConnectorProfileEvent =
  | ConnectorProfileRegistered
  | ConnectorProfileUpdated
  | ConnectorProfileDisabled
  | ConnectorProfileEnabled
  | ConnectorProfileArchived;

export const connectorProfileContract: StreamContract = {
  streamType: CONNECTOR_PROFILE_STREAM,
  description: 'Connector profiles: how to reach a data source of a client (credentials only encrypted).',
  current: [
    ConnectorProfileRegisteredSchema,
    ConnectorProfileUpdatedSchema,
    ConnectorProfileDisabledSchema,
    ConnectorProfileEnabledSchema,
    ConnectorProfileArchivedSchema,
  ],
  legacy: [],
};

export const connectorProfileUpcasters: Upcaster[] = [];
