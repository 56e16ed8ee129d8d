import { CanActivate, ExecutionContext, Injectable, UnsupportedMediaTypeException, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Whether the request carries a body (of any length but zero). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

const isJson = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';

/**
 * For commands that take no body: a body that is not JSON gets 415, as on every route. The HTTP
 * app registers no parser but JSON's (see createHttpApp), so this guard is the second line: it
 * keeps a no-body command from accepting and ignoring a body should another parser be added.
 * A JSON body, such as `{}`, is ignored.
 */
@Injectable()
export class NonJsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (hasBody(request) && !isJson(request.headers['content-type'])) {
      throw new UnsupportedMediaTypeException('This command takes no body; send none, or JSON');
    }
    return true;
  }
}

/** Marks a command route that takes no body (see NonJsonBodyGuard). */
export const TakesNoBody = () => UseGuards(NonJsonBodyGuard);
