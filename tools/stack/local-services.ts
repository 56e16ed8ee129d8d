import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { failureOf, pingPostgres, pingRedis } from '../lib/probes';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

const isLocal = (url: string) => LOCAL_HOSTS.has(new URL(url).hostname);

/** How to bring up a local service that is installed here but stopped; undefined when we can't. */
function startCommandFor(service: 'postgres' | 'redis', url: string): string[] | undefined {
  if (!isLocal(url)) return undefined;
  if (service === 'postgres' && existsSync('/etc/postgresql')) {
    const [version] = readdirSync('/etc/postgresql');
    return version ? ['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start'] : undefined;
  }
  if (service === 'redis') {
    const port = new URL(url).port || '6379';
    return [
      'redis-server',
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      port,
      '--save',
      '',
      '--appendonly',
      'no',
    ];
  }
  return undefined;
}

/**
 * Makes sure Postgres and Redis answer at the configured URLs. A local service that is installed
 * but stopped is started (and reported, so `down` can say so); a remote one is only checked.
 */
export async function ensureDatabaseAndCache(
  urls: { postgres: string; redis: string },
  log: (line: string) => void,
): Promise<void> {
  const services = [
    { service: 'postgres' as const, url: urls.postgres, ping: () => pingPostgres(serverUrlOf(urls.postgres)) },
    { service: 'redis' as const, url: urls.redis, ping: () => pingRedis(urls.redis) },
  ];
  for (const { service, url, ping } of services) {
    const failure = await failureOf(ping);
    if (failure === undefined) {
      log(`${service} answers at ${redactPassword(url)}`);
      continue;
    }
    const command = startCommandFor(service, url);
    if (!command) {
      throw new Error(
        `${service} does not answer at ${redactPassword(url)} (${failure}) and is not a local service we can start`,
      );
    }
    log(`${service} does not answer (${failure}); starting it: ${command.join(' ')}`);
    execFileSync(command[0], command.slice(1), { stdio: 'inherit' });
    await waitFor(ping, 30_000, `${service} at ${redactPassword(url)}`);
  }
}

/** The same server's maintenance database (the configured one may not exist yet). */
export function serverUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function waitFor(ping: () => Promise<void>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  let failure: string | undefined = 'not tried';
  while (Date.now() < deadline) {
    failure = await failureOf(ping);
    if (failure === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} still does not answer: ${failure}`);
}
