import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ApiProblemResponses } from '@analytics/http';
import { CommandResponse } from './command-response.dto';

/**
 * The OpenAPI description every command shares: `{ id, version, position }` with its headers,
 * the Idempotency-Key and If-Match request headers, and the problems a command can answer.
 */
export function ApiCommandResponses({ creates = false }: { creates?: boolean } = {}) {
  const headers = {
    ETag: {
      description: 'The stream version after the command, e.g. "3": send it back in If-Match',
      schema: { type: 'string' },
    },
    'Idempotent-Replayed': {
      description: '`true` when this is the stored answer to a repeated Idempotency-Key (nothing was written)',
      schema: { type: 'string', enum: ['true', 'false'] },
    },
    ...(creates ? { Location: { description: 'Where the new resource lives', schema: { type: 'string' } } } : {}),
  };
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A repeat with the same key and request gets the first answer; with another request, 422',
    }),
    ...(creates
      ? []
      : [ApiHeader({ name: 'If-Match', required: false, description: 'Expected version, e.g. "3"; stale: 409' })]),
    ApiResponse({
      status: creates ? 201 : 200,
      description: creates ? 'Created' : 'Accepted',
      type: CommandResponse,
      headers,
    }),
    ApiProblemResponses({
      400: 'Invalid request: body, path parameter, If-Match or Idempotency-Key (`errors` names the fields); malformed JSON',
      ...(creates ? {} : { 404: 'No such stream' }),
      409: 'Stale If-Match (`currentVersion` in the body), or the current state forbids the command',
      413: 'Body too large',
      ...(creates ? {} : { 414: 'Path parameter too long' }),
      415: 'Not a JSON body',
      422: 'Idempotency-Key reused with another request, or content the rules refuse (e.g. an unknown client)',
    }),
  );
}
