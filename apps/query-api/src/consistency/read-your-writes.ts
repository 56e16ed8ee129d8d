import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblemResponses, RequestValidationException } from '@analytics/http';
import { AppliedPositionWaiter } from './applied-position.waiter';
import { consistencyConfig, ConsistencyConfig } from './consistency.config';

export const MIN_POSITION_HEADER = 'x-min-position';
export const MAX_WAIT_HEADER = 'x-max-wait-ms';
export const CONSISTENCY_HEADER = 'X-Consistency';
const MAX_BIGINT = 2n ** 63n - 1n;

interface HeaderBag {
  headers: Record<string, string | string[] | undefined>;
  minPosition?: string;
}
interface ReplyLike {
  header(name: string, value: string): unknown;
}

/** The `X-Min-Position` header: a position (digits, within bigint), or undefined when absent. 400 otherwise. */
export function parseMinPosition(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? undefined : value.trim();
  if (text === undefined || !/^[0-9]{1,19}$/.test(text) || BigInt(text) > MAX_BIGINT) {
    throw new RequestValidationException([
      { field: 'X-Min-Position', message: 'X-Min-Position must be one event position (digits, at most 2^63 - 1)' },
    ]);
  }
  return BigInt(text).toString();
}

/** How long to wait: `X-Max-Wait-Ms` when given (digits; 400 otherwise), else the default; never above the cap. */
export function waitBudget(value: string | string[] | undefined, config: ConsistencyConfig): number {
  if (value === undefined) return Math.min(config.timeoutMs, config.maxWaitMs);
  const text = Array.isArray(value) ? undefined : value.trim();
  if (text === undefined || !/^[0-9]{1,9}$/.test(text)) {
    throw new RequestValidationException([
      { field: 'X-Max-Wait-Ms', message: 'X-Max-Wait-Ms must be a number of milliseconds (digits)' },
    ]);
  }
  return Math.min(Number(text), config.maxWaitMs);
}

/**
 * `X-Min-Position: P` on a query: waits (bounded) until P is applied, then lets the query run and
 * answers `X-Consistency: caught-up`, or `stale` when the wait ran out. The handler gets P through
 * `@MinPosition()` and passes it to the cache, which then serves no entry older than P.
 *
 * A guard that always lets the request through (or throws the 400), not an interceptor: it runs
 * at the same point (before the pipes and the handler), and a route with no interceptor skips
 * Nest's per-request RxJS chain and AsyncResource bindings, a fifth of a cache hit's CPU.
 */
@Injectable()
export class ReadYourWritesGuard implements CanActivate {
  constructor(
    private readonly waiter: AppliedPositionWaiter,
    @Inject(consistencyConfig.KEY) private readonly config: ConsistencyConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<HeaderBag>();
    const minPosition = parseMinPosition(request.headers[MIN_POSITION_HEADER]);
    if (minPosition === undefined) return true;
    const budget = waitBudget(request.headers[MAX_WAIT_HEADER], this.config);
    request.minPosition = minPosition;
    const caughtUp = await this.waiter.waitFor(minPosition, budget);
    http.getResponse<ReplyLike>().header(CONSISTENCY_HEADER, caughtUp ? 'caught-up' : 'stale');
    return true;
  }
}

/** The request's `X-Min-Position` (after the wait), or undefined. */
export const MinPosition = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<HeaderBag>().minPosition,
);

/** The response header of a query sent with `X-Min-Position`, for its OpenAPI description. */
export const CONSISTENCY_RESPONSE_HEADERS = {
  [CONSISTENCY_HEADER]: {
    description: 'With X-Min-Position: `caught-up` (the answer reflects it) or `stale` (the wait ran out)',
    schema: { type: 'string', enum: ['caught-up', 'stale'] },
  },
};

/** On a query controller: read-your-writes through `X-Min-Position`, documented in OpenAPI. */
export function ReadYourWrites() {
  return applyDecorators(
    UseGuards(ReadYourWritesGuard),
    ApiHeader({
      name: 'X-Min-Position',
      required: false,
      description:
        'A position a command returned: the answer reflects that event (its stream up to it), waiting up to X-Max-Wait-Ms (default READ_YOUR_WRITES_TIMEOUT_MS) for the projections; X-Consistency says caught-up or stale',
    }),
    ApiHeader({
      name: 'X-Max-Wait-Ms',
      required: false,
      description: 'Wait for X-Min-Position at most this long (capped)',
    }),
    ApiProblemResponses({
      400: 'An invalid query or path parameter, or X-Min-Position / X-Max-Wait-Ms not a number (`errors` names them)',
    }),
  );
}
