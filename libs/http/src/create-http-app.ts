import { BadRequestException, ExceptionFilter, RequestMethod, Type } from '@nestjs/common';
import { errorCodes, type FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemType } from '@analytics/contracts';
import { CORRELATION_ID_HEADER, correlationIdOf } from '@analytics/observability';
import { parseJson } from '@analytics/json';
import { Logger } from 'nestjs-pino';
import { scan as refusePrototypeKeys } from 'secure-json-parse';
import { createValidationPipe } from './validation';
import { UndeclaredQueryGuard } from './undeclared-query.guard';
import { ProblemDetailsFilter, toProblem } from './problem-details.filter';

export interface HttpAppOptions {
  /** Service name, used in the API document. */
  name: string;
  /** One paragraph for the API document. */
  description: string;
  /** Largest accepted request body in bytes; larger ones get 413. Default 256 KiB. */
  bodyLimitBytes?: number;
  /** App-specific filters (e.g. domain errors to problems), tried before the catch-all one. */
  filters?: ExceptionFilter[];
}

/**
 * Deepest JSON body accepted (far beyond any DTO). Deeper ones are refused before validation,
 * whose recursive walks (class-transformer, the pipe's prototype-key stripping) would overflow
 * the stack on tens of thousands of levels and answer 500.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * A URL Fastify's router can't decode (bad %-escape) or a path parameter over its length limit
 * is answered before any route runs: as a problem document too, not Fastify's own JSON.
 */
function frameworkErrors(error: Error, request: { url: string }, reply: unknown): void {
  const problem = toProblem(error, request.url);
  void (reply as FastifyReply).status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * Fastify's JSON body parser, but reading with parseJson (a V8 bug can change escaped keys of
 * JSON.parse's result, see @analytics/json). As Fastify's: an empty body or a body that is not
 * JSON is a 400, and so is a `__proto__` or `constructor.prototype` member (prototype poisoning).
 */
function parseJsonBody(_request: unknown, body: string, done: (error: Error | null, value?: unknown) => void) {
  if (body.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
  let value: unknown;
  try {
    value = parseJson(body);
    if (typeof value === 'object' && value !== null) {
      refusePrototypeKeys(value, { protoAction: 'error', constructorAction: 'error' });
    }
  } catch {
    return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
  }
  done(null, value);
}

/** Routes outside the `/v1` prefix: operations endpoints of the runtime contract. */
const UNVERSIONED = ['health/{*path}', 'metrics', 'docs', 'docs-json', 'asyncapi.json'];

/**
 * Creates one of our HTTP apps the same way for both sides: Fastify, JSON logs with the
 * correlation id (echoed in `X-Correlation-Id`), validation that rejects unknown fields,
 * problem+json errors, `/v1` prefix, OpenAPI at `/docs` and `/docs-json`, graceful shutdown.
 * The caller listens (its port comes from its own config).
 */
export async function createHttpApp(appModule: Type, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024,
    genReqId: (request: IncomingMessage) => correlationIdOf(request),
    requestIdHeader: false,
    frameworkErrors,
  });
  // JSON is the only request media type (the OpenAPI documents say so), read by our parser: no
  // parsers from Nest (bodyParser: false) and Fastify's text/plain one removed, so that anything
  // else is a 415 before any route runs. A form body used to reach validation, and one with the
  // right fields was accepted as a command: a cross-site HTML form can send one without a CORS
  // preflight.
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  const app = await NestFactory.create<NestFastifyApplication>(appModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header(CORRELATION_ID_HEADER, request.id);
    });

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preValidation', async (request) => {
      if (jsonDepthExceeds(request.body, MAX_BODY_DEPTH)) {
        throw new BadRequestException({
          type: problemType('validation-error'),
          detail: `The request body must not be nested deeper than ${MAX_BODY_DEPTH} levels`,
        });
      }
    });

  app.setGlobalPrefix('v1', {
    exclude: UNVERSIONED.map((path) => ({ path, method: RequestMethod.ALL })),
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalGuards(new UndeclaredQueryGuard());
  // Nest tries global filters from the last registered: the catch-all goes first.
  app.useGlobalFilters(new ProblemDetailsFilter(), ...(options.filters ?? []));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.name).setDescription(options.description).setVersion('1').build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Whether a parsed JSON value nests deeper than `limit` (iterative: safe on any depth). */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
