import { parseJson } from '@analytics/json';
import { setTimeout as sleep } from 'node:timers/promises';

/** One page of command-api's `GET /v1/events` (the envelopes as published on Kafka). */
export interface FeedPage {
  events: ({ streamType: string; position: string; id: string } & Record<string, unknown>)[];
  next: string;
  /** Highest committed position (absent from a command-api that predates it). */
  head?: string;
}

export class EventFeedError extends Error {}

/**
 * Reads command-api's event feed over HTTP: the read side never reads the write side's tables.
 * Network errors, 5xx and 429 are retried with backoff (a command-api restart does not fail a
 * rebuild); anything else is an error.
 */
export class EventFeedClient {
  constructor(
    private readonly baseUrl: string,
    private readonly options: { timeoutMs?: number; retries?: number } = {},
  ) {}

  async page(after: string, limit: number): Promise<FeedPage> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/v1/events?after=${encodeURIComponent(after)}&limit=${limit}`;
    const retries = this.options.retries ?? 10;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
        // Not response.json(): V8's JSON.parse can misread escaped keys (see parseJson).
        if (response.ok) return parseJson(await response.text()) as FeedPage;
        problem = `${response.status} ${(await response.text()).slice(0, 300)}`;
        if (response.status < 500 && response.status !== 429) {
          throw new EventFeedError(`GET ${url} answered ${problem}`);
        }
      } catch (error) {
        if (error instanceof EventFeedError) throw error;
        problem = (error as Error).message;
      }
      if (attempt > retries) throw new EventFeedError(`GET ${url} failed ${attempt} times; last: ${problem}`);
      await sleep(Math.min(5_000, 100 * 2 ** attempt));
    }
  }
}
