/**
 * Events of the `client-config` stream (schema version 1). Persisted and published: the type
 * strings and shapes are a contract; evolve them with a new schema version and an upcaster.
 */
export const CLIENT_CONFIG_STREAM = 'client-config' as const;

export interface ClientConfigCreated {
  type: 'client-config.created';
  schemaVersion: 1;
  data: {
    clientId: string;
    displayName: string;
    timezone: string;
    currency: string;
    settings: Record<string, unknown>;
    featureFlags: Record<string, boolean>;
  };
}

/** Settings after a JSON Merge Patch (RFC 7396), with the patch that produced them. */
export interface ClientConfigSettingsChanged {
  type: 'client-config.settings-changed';
  schemaVersion: 1;
  data: { patch: Record<string, unknown>; settings: Record<string, unknown> };
}

export interface ClientConfigArchived {
  type: 'client-config.archived';
  schemaVersion: 1;
  data: Record<string, never>;
}

export type ClientConfigEvent = ClientConfigCreated | ClientConfigSettingsChanged | ClientConfigArchived;
