/**
 * The soak's load generator: a steady mix of valid commands against command-api (the endpoint
 * table of the e2e tests), plus a light query load against query-api. Every acknowledged command
 * (2xx) is logged with its stream id, version and position, in memory and as one JSON line in the
 * ack log. Each command carries an Idempotency-Key, so that a command whose outcome is unknown
 * (connection cut, timeout, 5xx) can be asked again at the end: the answer then says whether it
 * had committed (a replay) or not (it runs now), and it joins the acknowledged ones.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { COMMAND_ENDPOINTS, CommandEndpoint, FIXTURE_CLIENTS } from '../../test/command-endpoints';

/** How often each command endpoint is picked (creates also seed the streams). */
export const WEIGHTS: Record<string, number> = {
  'create client config': 2,
  'change client config settings': 3,
  'set client feature flag': 3,
  'archive client config': 0.1,
  'register connector profile': 3,
  'update connector profile': 4,
  'disable connector profile': 0.5,
  'enable connector profile': 0.5,
  'archive connector profile': 0.2,
  'draft service proposal': 3,
  'revise service proposal': 1,
  'submit service proposal': 2,
  'accept service proposal': 0.7,
  'reject service proposal': 0.5,
  'withdraw service proposal': 0.3,
};

export interface Ack {
  at: number;
  endpoint: string;
  method: string;
  path: string;
  status: number;
  id: string;
  version: number;
  position: string;
  idempotencyKey: string;
  /** Acknowledged only when asked again at the end (the first attempt's outcome was unknown). */
  resolved?: boolean;
  replayed?: boolean;
}

interface Command {
  endpoint: CommandEndpoint;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

export interface LoadStats {
  sent: number;
  acknowledged: number;
  /** Connection refused: the request never reached an app (it was down). */
  notDelivered: number;
  /** Cut off, timed out or 5xx: may or may not have committed. */
  unknown: number;
  byStatus: Record<string, number>;
  queries: number;
  queryByStatus: Record<string, number>;
  resolvedCommitted: number;
  resolvedRanNow: number;
  resolvedFailed: number;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];
const sampleOf = <T>(arbitrary: fc.Arbitrary<T>): T => fc.sample(arbitrary, 1)[0];
const isRefused = (error: unknown) => {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
};

export class LoadGenerator {
  readonly acks: Ack[] = [];
  readonly stats: LoadStats = {
    sent: 0,
    acknowledged: 0,
    notDelivered: 0,
    unknown: 0,
    byStatus: {},
    queries: 0,
    queryByStatus: {},
    resolvedCommitted: 0,
    resolvedRanNow: 0,
    resolvedFailed: 0,
  };
  private readonly streams = new Map<string, Map<string, number>>();
  private readonly unknownCommands: Command[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly fixtureIds = new Set<string>();

  constructor(
    private readonly commandUrl: string,
    private readonly queryUrl: string,
    private readonly ackLogPath: string,
    private readonly options: { concurrency: number; pauseMs: number },
  ) {}

  /** The clients that connector profiles and proposals name (retried until command-api answers). */
  async createFixtures(): Promise<void> {
    for (const client of FIXTURE_CLIENTS) {
      for (let attempt = 0; ; attempt++) {
        const command: Command = {
          endpoint: COMMAND_ENDPOINTS.find((endpoint) => endpoint.name === 'create client config') as CommandEndpoint,
          path: '/v1/client-configs',
          body: JSON.stringify(client),
          headers: { 'content-type': 'application/json', 'idempotency-key': `fixture-${client.clientId}` },
        };
        const outcome = await this.send(command);
        if (outcome === 'acked') {
          this.fixtureIds.add(this.acks[this.acks.length - 1].id);
          break;
        }
        if (attempt > 50) throw new Error(`could not create fixture client ${client.clientId}`);
        await sleep(500);
      }
    }
  }

  start(): void {
    this.running = true;
    this.workers = [
      ...Array.from({ length: this.options.concurrency }, () => this.commandWorker()),
      this.queryWorker(),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Asks again, with the same Idempotency-Key, every command whose outcome was unknown. */
  async resolveUnknown(): Promise<void> {
    for (const command of this.unknownCommands.splice(0)) {
      let outcome: Awaited<ReturnType<LoadGenerator['send']>> = 'unknown';
      for (let attempt = 0; attempt < 5 && (outcome === 'unknown' || outcome === 'not-delivered'); attempt++) {
        outcome = await this.send(command, true);
        if (outcome === 'unknown' || outcome === 'not-delivered') await sleep(1_000);
      }
      if (outcome === 'unknown' || outcome === 'not-delivered') this.stats.resolvedFailed++;
    }
  }

  private async commandWorker(): Promise<void> {
    while (this.running) {
      const outcome = await this.send(this.nextCommand());
      if (outcome === 'not-delivered') await sleep(200);
      else if (this.options.pauseMs > 0) await sleep(this.options.pauseMs);
    }
  }

  private async queryWorker(): Promise<void> {
    while (this.running) {
      const paths = [
        `/v1/clients/${pick(FIXTURE_CLIENTS).clientId}/overview`,
        '/v1/clients?limit=20',
        `/v1/connector-profiles?clientId=${pick(FIXTURE_CLIENTS).clientId}&limit=20`,
        `/v1/service-proposals?clientId=${pick(FIXTURE_CLIENTS).clientId}&limit=20`,
      ];
      let status: string;
      try {
        const response = await fetch(`${this.queryUrl}${pick(paths)}`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        status = String(response.status);
      } catch (error) {
        status = isRefused(error) ? 'refused' : 'no-answer';
      }
      this.stats.queries++;
      this.stats.queryByStatus[status] = (this.stats.queryByStatus[status] ?? 0) + 1;
      await sleep(status === 'refused' ? 200 : 100);
    }
  }

  /**
   * The known streams a command can go to. The fixture clients stay active: archived, they would
   * turn every later connector profile and proposal command into a 409 for the rest of the soak.
   */
  private targetsOf(endpoint: CommandEndpoint): string[] {
    const ids = [...(this.streams.get(endpoint.streamType)?.keys() ?? [])];
    return endpoint.name === 'archive client config' ? ids.filter((id) => !this.fixtureIds.has(id)) : ids;
  }

  private nextCommand(): Command {
    const choices = COMMAND_ENDPOINTS.filter((endpoint) => endpoint.creates || this.targetsOf(endpoint).length > 0);
    const total = choices.reduce((sum, endpoint) => sum + (WEIGHTS[endpoint.name] ?? 0), 0);
    let roll = Math.random() * total;
    const endpoint = choices.find((choice) => (roll -= WEIGHTS[choice.name] ?? 0) < 0) ?? choices[0];
    const known = this.streams.get(endpoint.streamType) ?? new Map<string, number>();
    const id = endpoint.creates ? '' : pick(this.targetsOf(endpoint));
    const headers: Record<string, string> = { 'idempotency-key': randomUUID() };
    if (endpoint.body) headers['content-type'] = 'application/json';
    if (!endpoint.creates && Math.random() < 0.3) headers['if-match'] = `"${known.get(id)}"`;
    return {
      endpoint,
      path: endpoint.path(id, sampleOf(fc.record(endpoint.params))),
      body: endpoint.body ? JSON.stringify(sampleOf(endpoint.fixtureBody ?? endpoint.body)) : undefined,
      headers,
    };
  }

  private async send(command: Command, resolving = false): Promise<'acked' | 'refused' | 'not-delivered' | 'unknown'> {
    if (!resolving) this.stats.sent++;
    let response: Response;
    try {
      response = await fetch(`${this.commandUrl}${command.path}`, {
        method: command.endpoint.method,
        headers: command.headers,
        body: command.body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      if (isRefused(error)) {
        if (!resolving) this.stats.notDelivered++;
        return 'not-delivered';
      }
      if (!resolving) {
        this.stats.unknown++;
        this.unknownCommands.push(command);
      }
      return 'unknown';
    }
    const status = String(response.status);
    if (!resolving) this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    if (response.status >= 500) {
      await response.arrayBuffer().catch(() => undefined);
      if (!resolving) {
        this.stats.unknown++;
        this.unknownCommands.push(command);
      }
      return 'unknown';
    }
    if (response.status >= 300) {
      await response.arrayBuffer().catch(() => undefined);
      return 'refused';
    }
    let accepted: { id: string; version: number; position: string };
    try {
      accepted = (await response.json()) as typeof accepted;
    } catch {
      // The answer was cut off after the status line: the command committed (2xx), its id is unknown.
      if (!resolving) {
        this.stats.unknown++;
        this.unknownCommands.push(command);
      }
      return 'unknown';
    }
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    const ack: Ack = {
      at: Date.now(),
      endpoint: command.endpoint.name,
      method: command.endpoint.method,
      path: command.path,
      status: response.status,
      id: accepted.id,
      version: accepted.version,
      position: accepted.position,
      idempotencyKey: command.headers['idempotency-key'],
      ...(resolving ? { resolved: true, replayed } : {}),
    };
    this.acks.push(ack);
    this.stats.acknowledged++;
    if (resolving) {
      if (replayed) this.stats.resolvedCommitted++;
      else this.stats.resolvedRanNow++;
    }
    appendFileSync(this.ackLogPath, `${JSON.stringify(ack)}\n`);
    const known = this.streams.get(command.endpoint.streamType) ?? new Map<string, number>();
    if (!known.has(accepted.id) || (known.get(accepted.id) as number) < accepted.version) {
      known.set(accepted.id, accepted.version);
    }
    this.streams.set(command.endpoint.streamType, known);
    return 'acked';
  }
}
