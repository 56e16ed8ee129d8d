import { EventEnvelope } from '@analytics/contracts';

/**
 * An event as the projections apply it: the contract envelope after decoding, upcasting to the
 * current schema version and validation. `data` matches the current schema of `type`.
 */
export type ProjectedEvent<TData = Record<string, unknown>> = EventEnvelope<string, TData>;

/** The larger of two positions (strings of digits of any length). */
export function maxPosition(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}

/** The later of two ISO instants; null counts as "never". */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** Raised by a fold for an event it cannot apply to the current row (a bug or a broken history). */
export class ProjectionError extends Error {
  override name = 'ProjectionError';
}

/** An instant as the read model stores and returns it: ISO 8601, UTC, millisecond precision. */
export function instant(value: string): string {
  return new Date(value).toISOString();
}
