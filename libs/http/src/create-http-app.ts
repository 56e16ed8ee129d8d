import { ExceptionFilter, RequestMethod, Type } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CORRELATION_ID_HEADER, correlationIdOf } from '@analytics/observability';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from './validation';
import { ProblemDetailsFilter } from './problem-details.filter';

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
  });
  const app = await NestFactory.create<NestFastifyApplication>(appModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header(CORRELATION_ID_HEADER, request.id);
    });

  app.setGlobalPrefix('v1', {
    exclude: UNVERSIONED.map((path) => ({ path, method: RequestMethod.ALL })),
  });
  app.useGlobalPipes(createValidationPipe());
  // Nest tries global filters from the last registered: the catch-all goes first.
  app.useGlobalFilters(new ProblemDetailsFilter(), ...(options.filters ?? []));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.name).setDescription(options.description).setVersion('1').build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
