import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '@analytics/contracts';

/**
 * Turns every error that reaches the edge into `application/problem+json`.
 * HttpExceptions keep their status; a body that already has a `type` is passed through.
 * Anything else is a 500 whose detail says nothing about internals (it is logged instead).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception, request.url);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, url: request.url }, 'Unhandled error');
    }
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }
}

export function toProblem(exception: unknown, instance?: string): ProblemDetails {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const title = STATUS_CODES[status] ?? 'Error';
    if (typeof body === 'object' && body !== null && 'type' in body) {
      return { status, title, instance, ...(body as Partial<ProblemDetails>) } as ProblemDetails;
    }
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return {
      type: 'about:blank',
      title,
      status,
      detail: Array.isArray(message) ? message.join('; ') : String(message ?? title),
      instance,
    };
  }
  const status = fastifyStatusOf(exception);
  if (status !== undefined && status < 500) {
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: (exception as Error).message,
      instance,
    };
  }
  return {
    type: 'about:blank',
    title: STATUS_CODES[HttpStatus.INTERNAL_SERVER_ERROR] as string,
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    detail: 'The server could not complete the request',
    instance,
  };
}

/** Fastify's own client errors (body too large, bad JSON, unsupported media type) carry a statusCode. */
function fastifyStatusOf(exception: unknown): number | undefined {
  if (typeof exception === 'object' && exception !== null && 'statusCode' in exception) {
    const status = Number((exception as { statusCode: unknown }).statusCode);
    return Number.isInteger(status) && status >= 400 && status < 600 ? status : undefined;
  }
  return undefined;
}
