import { Static, Type } from '@sinclair/typebox';
import { closedObject, eventSchema, StreamContract } from './event-schema';
import { Upcaster } from './upcasting';

/**
 * Events of the `client-config` stream. Persisted and published: type strings and shapes are a
 * contract; change a shape with a new schema version and an upcaster from the old one.
 */
export const CLIENT_CONFIG_STREAM = 'client-config' as const;

const JsonObject = Type.Record(Type.String(), Type.Unknown(), { description: 'A JSON object' });
const FeatureFlags = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.Boolean());

const clientDetails = {
  clientId: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$', description: 'Slug, unique' }),
  displayName: Type.String({ minLength: 1, maxLength: 200 }),
  timezone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Europe/Paris' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  settings: JsonObject,
};

/** v1: written before feature flags existed. Read as v2 with no flag set. */
export const ClientConfigCreatedV1Schema = eventSchema(
  'client-config.created',
  1,
  closedObject(clientDetails),
  'A client configuration was created (before feature flags).',
);

export const ClientConfigCreatedSchema = eventSchema(
  'client-config.created',
  2,
  closedObject({ ...clientDetails, featureFlags: FeatureFlags }),
  'A client configuration was created.',
);
export type ClientConfigCreated = Static<typeof ClientConfigCreatedSchema>;

export const ClientConfigSettingsChangedSchema = eventSchema(
  'client-config.settings-changed',
  1,
  closedObject({
    patch: Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: 'The JSON Merge Patch applied' }),
    settings: Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: 'The settings after the patch' }),
  }),
  "A client's settings were changed by a JSON Merge Patch (RFC 7396).",
);
export type ClientConfigSettingsChanged = Static<typeof ClientConfigSettingsChangedSchema>;

export const ClientConfigFeatureFlagSetSchema = eventSchema(
  'client-config.feature-flag-set',
  1,
  closedObject({ flag: Type.String({ minLength: 1, maxLength: 100 }), enabled: Type.Boolean() }),
  'A feature flag of a client was turned on or off.',
);
export type ClientConfigFeatureFlagSet = Static<typeof ClientConfigFeatureFlagSetSchema>;

export const ClientConfigArchivedSchema = eventSchema(
  'client-config.archived',
  1,
  closedObject({}),
  'A client configuration was archived; it accepts no further commands.',
);
export type ClientConfigArchived = Static<typeof ClientConfigArchivedSchema>;

export type ClientConfigEvent =
  ClientConfigCreated | ClientConfigSettingsChanged | ClientConfigFeatureFlagSet | ClientConfigArchived;

export const clientConfigContract: StreamContract = {
  streamType: CLIENT_CONFIG_STREAM,
  description: 'Client configurations: identity, locale, settings and feature flags.',
  current: [
    ClientConfigCreatedSchema,
    ClientConfigSettingsChangedSchema,
    ClientConfigFeatureFlagSetSchema,
    ClientConfigArchivedSchema,
  ],
  legacy: [ClientConfigCreatedV1Schema],
};

export const clientConfigUpcasters: Upcaster[] = [
  {
    type: 'client-config.created',
    fromVersion: 1,
    upcast: (data) => ({ featureFlags: {}, ...(data as object) }),
  },
];
