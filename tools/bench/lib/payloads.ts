/** The payloads both sides of a figure write, so that the sizes match. */

/** Settings of a new client configuration (about 300 bytes of JSON). */
export const SETTINGS = {
  theme: 'dark',
  locale: 'fr-FR',
  refreshSeconds: 30,
  dashboards: ['market-overview', 'news-sentiment', 'telemetry-health'],
  alerts: { email: true, sms: false, thresholdPercent: 5 },
  defaultRange: '30d',
};

/** Body of `POST /v1/client-configs` for client `clientId`. */
export function createBody(clientId: string): Record<string, unknown> {
  return {
    clientId,
    displayName: `Bench client ${clientId}`,
    timezone: 'Europe/Paris',
    currency: 'EUR',
    settings: SETTINGS,
    featureFlags: { 'beta-dashboard': true },
  };
}

/** The event data our decider records for `createBody` (client-config.created v2). */
export function createdEventData(clientId: string): Record<string, unknown> {
  const { settings, featureFlags, ...rest } = createBody(clientId);
  return { ...rest, settings, featureFlags };
}

/** Event metadata as command-api records it. */
export function eventMetadata(correlationId: string, causationId: string): Record<string, unknown> {
  return { correlationId, causationId };
}
