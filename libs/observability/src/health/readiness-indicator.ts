import { HealthIndicatorResult } from '@nestjs/terminus';

/**
 * One dependency the app needs to serve traffic (database, broker, cache...).
 * Implementations answer within their own timeout and never throw: they report `down`.
 */
export interface ReadinessIndicator {
  check(): Promise<HealthIndicatorResult>;
}

/** Resolves `work`, or rejects after `ms` so a hung dependency cannot hang the health check. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Error text safe to show in a health report (no stack, bounded length). */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 300);
}
