import { EventEnvelope } from '@analytics/contracts';

/**
 * An event as the projections apply it: the contract envelope after decoding, upcasting to the
 * current schema version and validation. `data` matches the current schema of `type`.
 */
export type ProjectedEvent<TData = Record<string, unknown>> = EventEnvelope<string, TData>;

/** Raised by a fold for an event it cannot apply to the current row (a bug or a broken history). */
export class ProjectionError extends Error {
  override name = 'ProjectionError';
}
