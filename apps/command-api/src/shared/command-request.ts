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

/** The command's context from its HTTP request: expected version, correlation and causation ids. */
export const CommandRequestContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const ifMatch = request.headers['if-match'];
  const idempotencyKey = request.headers['idempotency-key'];
  return {
    expectedVersion: parseIfMatch(Array.isArray(ifMatch) ? ifMatch[0] : ifMatch),
    correlationId: request.id,
    causationId: typeof idempotencyKey === 'string' ? idempotencyKey : null,
  };
});
