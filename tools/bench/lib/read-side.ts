/** Read-side fixtures of the benchmarks: connector profiles written through command-api. */
import { randomUUID } from 'node:crypto';
import { createBody } from './payloads';

export interface CommandAnswer {
  id: string;
  version: number;
  position: string;
}

/** Body of `POST /v1/connector-profiles` (a postgres connector of client `clientId`). */
export function connectorProfileBody(clientId: string, name: string): Record<string, unknown> {
  return {
    clientId,
    name,
    kind: 'postgres',
    config: { host: 'warehouse.internal', port: 5432, database: 'analytics', username: 'reader', sslMode: 'require' },
    tags: ['bench', 'warehouse'],
    secrets: { password: 'bench-password' },
  };
}

/** One command over HTTP (with an Idempotency-Key, as clients are asked to send); throws unless 2xx. */
export async function sendCommand(
  commandApiUrl: string,
  method: string,
  path: string,
  body: unknown,
): Promise<CommandAnswer> {
  const response = await fetch(`${commandApiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as CommandAnswer;
}

/** Creates client `clientId` and `count` connector profiles of it; returns the profiles' answers. */
export async function seedConnectorProfiles(
  commandApiUrl: string,
  clientId: string,
  count: number,
): Promise<CommandAnswer[]> {
  await sendCommand(commandApiUrl, 'POST', '/v1/client-configs', createBody(clientId));
  const profiles: CommandAnswer[] = [];
  for (let i = 0; i < count; i++) {
    profiles.push(
      await sendCommand(
        commandApiUrl,
        'POST',
        '/v1/connector-profiles',
        connectorProfileBody(clientId, `Warehouse ${i}`),
      ),
    );
  }
  return profiles;
}

/** Waits (read-your-writes) until query-api has applied `position` and shows the profile; returns its body. */
export async function waitUntilVisible(queryApiUrl: string, profileId: string, position: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${queryApiUrl}/v1/connector-profiles/${profileId}`, {
      headers: { 'x-min-position': position, 'x-max-wait-ms': '5000' },
    });
    const body = await response.text();
    if (response.ok && response.headers.get('x-consistency') === 'caught-up') return body;
  }
  throw new Error(`query-api did not apply position ${position} within 60 s`);
}

/** `cache_requests_total` of query-api's queries cache, by result (hit, miss ...). */
export async function cacheRequests(queryApiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${queryApiUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^cache_requests_total\{[^}]*result="([a-z-]+)"[^}]*\} (\d+(?:\.\d+)?)/gm)) {
    counts[match[1]] = (counts[match[1]] ?? 0) + Number(match[2]);
  }
  return counts;
}
