import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { problemType } from '@analytics/contracts';
import { CommandContext } from './command-context';

/** `If-Match: "3"` (or `3`) as a number; undefined when absent. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) {
    throw new BadRequestException({
      type: problemType('validation-error'),
      detail: 'If-Match must be a stream version, e.g. "3"',
      errors: [{ field: 'If-Match', message: 'must be a quoted stream version such as "3"' }],
    });
  }
  return Number(match[1]);
}

/** `Idempotency-Key`: 1 to 255 visible ASCII characters; undefined when absent. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || key === '') return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new BadRequestException({
      type: problemType('validation-error'),
      detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  return key;
}

/** The command's context from its HTTP request: expected version, correlation and causation ids. */
export const CommandRequestContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const ifMatch = request.headers['if-match'];
  const key = parseIdempotencyKey(request.headers['idempotency-key']);
  return {
    expectedVersion: parseIfMatch(Array.isArray(ifMatch) ? ifMatch[0] : ifMatch),
    correlationId: request.id,
    causationId: key ?? null,
    idempotency: key ? { key, request: { method: request.method, path: request.url, body: request.body } } : undefined,
  };
});
