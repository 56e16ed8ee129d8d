import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's correlation id: the caller's `X-Correlation-Id` when it is a sane token,
 * otherwise a new UUID (a header we cannot trust must not end up verbatim in logs and events).
 */
export function correlationIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[CORRELATION_ID_HEADER];
  const candidate = Array.isArray(given) ? given[0] : given;
  return candidate && ACCEPTABLE.test(candidate) ? candidate : randomUUID();
}
