/**
 * A small HTTP load generator over keep-alive connections (node:http, no dependency):
 * - closed loop: N connections, each sends its next request when the previous answered
 *   (measures the best throughput at that concurrency);
 * - fixed arrival rate (open loop): requests are sent on a schedule whatever the answers, and
 *   latency counts from the scheduled time, so a stalled server shows up in the tail instead of
 *   slowing the generator down (no coordinated omission).
 */
import { Agent, request } from 'node:http';

export interface HttpCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Decides the next request and learns from its answer (e.g. to lease streams to update). */
export interface Workload {
  next(): { call: HttpCall; done(answer: HttpAnswer | undefined): void };
}

export interface LoadResult {
  /** Requests answered 2xx inside the window. */
  completed: number;
  /** Non-2xx answers and transport errors. */
  failures: number;
  /** Latencies of the 2xx answers, ms. */
  latencies: number[];
  elapsedMs: number;
  /** A few failure descriptions, for the progress output. */
  failureSamples: string[];
}

export class HttpLoader {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** `connections` loops, each waiting for its answer before the next request, for `durationMs`. */
  async closedLoop(workload: Workload, connections: number, durationMs: number): Promise<LoadResult> {
    const result = emptyResult();
    const started = performance.now();
    const deadline = started + durationMs;
    const loop = async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        await this.exchange(workload, result, sent);
      }
    };
    await Promise.all(Array.from({ length: connections }, loop));
    result.elapsedMs = performance.now() - started;
    return result;
  }

  /** `rate` requests per second for `durationMs`, then waits (bounded) for the answers. */
  async fixedRate(workload: Workload, rate: number, durationMs: number): Promise<LoadResult> {
    const result = emptyResult();
    const started = performance.now();
    const total = Math.floor((rate * durationMs) / 1000);
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        while (sent < total && started + (sent * 1000) / rate <= now) {
          const scheduled = started + (sent * 1000) / rate;
          sent += 1;
          const exchange = this.exchange(workload, result, scheduled).finally(() => inFlight.delete(exchange));
          inFlight.add(exchange);
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    result.failures += inFlight.size;
    result.elapsedMs = performance.now() - started;
    return result;
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request on the loader's keep-alive connections (e.g. a query following a command). */
  request(call: HttpCall): Promise<HttpAnswer & { headers: Record<string, string | string[] | undefined> }> {
    return this.send(call);
  }

  private async exchange(workload: Workload, result: LoadResult, since: number): Promise<void> {
    const { call, done } = workload.next();
    let answer: HttpAnswer | undefined;
    try {
      answer = await this.send(call);
    } catch (error) {
      if (result.failureSamples.length < 5) result.failureSamples.push((error as Error).message);
    }
    if (answer && answer.status >= 200 && answer.status < 300) {
      result.completed += 1;
      result.latencies.push(performance.now() - since);
    } else {
      result.failures += 1;
      if (answer && result.failureSamples.length < 5) {
        result.failureSamples.push(`${call.method} ${call.path}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }
    }
    done(answer);
  }

  private send(call: HttpCall): Promise<HttpAnswer & { headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        `${this.baseUrl}${call.path}`,
        { method: call.method, headers: call.headers, agent: this.agent },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () =>
            resolve({
              status: incoming.statusCode ?? 0,
              headers: incoming.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
          incoming.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(call.body);
    });
  }
}

function emptyResult(): LoadResult {
  return { completed: 0, failures: 0, latencies: [], elapsedMs: 0, failureSamples: [] };
}
