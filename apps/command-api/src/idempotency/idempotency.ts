import { UnprocessableError } from '../shared/domain-errors';
import { Queryable } from '@analytics/persistence';

/** An `Idempotency-Key` and a fingerprint of the request it came with. */
export interface IdempotencyRequest {
  key: string;
  requestHash: string;
  /** How long the first response is kept for repeats. */
  ttlSeconds: number;
}

/**
 * Runs `work` at most once per key, inside the caller's transaction. The key is claimed first
 * (a placeholder row); a concurrent request with the same key blocks on that row until the first
 * transaction ends, then finds the stored response. If the first transaction fails, nothing is
 * stored and the next request with the key runs the command. A repeat writes nothing.
 */
export async function runOnce<T extends object>(
  tx: Queryable,
  request: IdempotencyRequest | undefined,
  status: number,
  work: () => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  if (!request) return { result: await work(), replayed: false };
  // One statement claims the key: a new row, or an expired record taken over in place.
  const claimed: unknown[] = await tx.query(
    `INSERT INTO idempotency_records (key, request_hash, response_status, response_body, expires_at)
     VALUES ($1, $2, 0, 'null', now() + make_interval(secs => $3))
     ON CONFLICT (key) DO UPDATE
       SET request_hash = excluded.request_hash, response_status = 0, response_body = 'null',
           created_at = now(), expires_at = excluded.expires_at
       WHERE idempotency_records.expires_at < now()
     RETURNING key`,
    [request.key, request.requestHash, request.ttlSeconds],
  );
  if (claimed.length === 0) {
    const [first]: { request_hash: string; response_body: T }[] = await tx.query(
      `SELECT request_hash, response_body FROM idempotency_records WHERE key = $1`,
      [request.key],
    );
    if (!first || first.request_hash !== request.requestHash) {
      throw new UnprocessableError(
        'idempotency-key-reused',
        'This Idempotency-Key was already used with a different request',
      );
    }
    return { result: first.response_body, replayed: true };
  }
  const result = await work();
  await tx.query(`UPDATE idempotency_records SET response_status = $2, response_body = $3 WHERE key = $1`, [
    request.key,
    status,
    JSON.stringify(result),
  ]);
  return { result, replayed: false };
}
