import { Queryable, SqlWrite } from '@analytics/persistence';
import { UnprocessableError } from '../shared/domain-errors';

/** An `Idempotency-Key` and a fingerprint of the request it came with. */
export interface IdempotencyRequest {
  key: string;
  requestHash: string;
  /** How long the first response is kept for repeats. */
  ttlSeconds: number;
}

/**
 * How a command runs at most once per key: its writes include `recordFirstResponse`, a plain
 * INSERT of the key with the response, in the same statement or transaction. A repeat, or a
 * concurrent request with the same key, then fails (the key's primary key is taken; a concurrent
 * one waits for the first to commit) and writes nothing; the caller asks `storedResponse` what the
 * first request answered. If the first request failed, nothing was stored and a repeat runs.
 *
 * The key is recorded with the command's own writes rather than claimed before them: that costs
 * no extra round trip on the path every command takes, and repeats (rare) pay instead.
 */
export function recordFirstResponse(request: IdempotencyRequest, status: number, responseBody: SqlWrite): SqlWrite {
  return (param) =>
    `INSERT INTO idempotency_records (key, request_hash, response_status, response_body, expires_at)
     VALUES (${param(request.key)}, ${param(request.requestHash)}, ${param(status)}, ${responseBody(param)},
             now() + make_interval(secs => ${param(request.ttlSeconds)}))`;
}

/** Whether a failed write failed because `recordFirstResponse` found its key taken. */
export function isKeyTaken(error: unknown): boolean {
  const { code, table } = error as { code?: string; table?: string };
  return code === '23505' && table === 'idempotency_records';
}

/** What is stored for a key: nothing, the first response (same request), another request's, or an expired record. */
export type StoredResponse<T> =
  { kind: 'same-request'; response: T } | { kind: 'other-request' } | { kind: 'expired' } | undefined;

/** The record of this key, compared with the request. An expired record is deleted: the key can be used again. */
export async function storedResponse<T>(db: Queryable, request: IdempotencyRequest): Promise<StoredResponse<T>> {
  const [first]: { request_hash: string; response_body: T; expired: boolean }[] = await db.query(
    `SELECT request_hash, response_body, expires_at < now() AS expired FROM idempotency_records WHERE key = $1`,
    [request.key],
  );
  if (!first) return undefined;
  if (first.expired) {
    await db.query(`DELETE FROM idempotency_records WHERE key = $1 AND expires_at < now()`, [request.key]);
    return { kind: 'expired' };
  }
  if (first.request_hash !== request.requestHash) return { kind: 'other-request' };
  return { kind: 'same-request', response: first.response_body };
}

export function keyReusedError(): UnprocessableError {
  return new UnprocessableError(
    'idempotency-key-reused',
    'This Idempotency-Key was already used with a different request',
  );
}
