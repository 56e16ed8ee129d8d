import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { loggingConfig, LoggingConfig } from './logging.config';

/**
 * Paths never written to logs. Credentials must not leave the process in clear, and a log line
 * is the easiest way for them to escape.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.token',
  '*.apiKey',
];

/** Structured JSON logs (pino) with the request's correlation id on every line. */
@Module({})
export class LoggingModule {
  static forRoot(options: { app: string }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          imports: [ConfigModule.forFeature(loggingConfig)],
          inject: [loggingConfig.KEY],
          useFactory: (config: LoggingConfig) => ({
            pinoHttp: {
              level: config.level,
              name: options.app,
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              // Fastify assigns req.id from genReqId (see createHttpApp): the correlation id. The
              // request's child logger binds it as `correlationId` (pino-http's `reqId` renamed),
              // on every line logged while the request runs and on its access line. Not through
              // `customProps`: that added a third child logger per request (and a re-check of the
              // bindings when it finished) to repeat the same id under a second name.
              customAttributeKeys: { reqId: 'correlationId' },
              quietReqLogger: true,
              // Access log lines without the headers: what an operator reads, a fifth of the bytes
              // to serialize and redact on every request, and no header can leak a credential.
              serializers: {
                req: (req: { id?: string; method?: string; url?: string; remoteAddress?: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: req.url,
                  remoteAddress: req.remoteAddress,
                }),
                res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
              },
              autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
              // Answered reads are the bulk of a query API's traffic (thousands a second on cache
              // hits) and say little one by one: debug. Commands stay at info, failures above.
              customLogLevel: (req, res, error) => {
                if (error || res.statusCode >= 500) return 'error';
                if (res.statusCode >= 400) return 'warn';
                if (req.method !== 'GET') return 'info';
                // 'silent' when debug is off (the level is fixed at start): the same nothing, without
                // building the line pino would drop.
                return config.level === 'debug' || config.level === 'trace' ? 'debug' : 'silent';
              },
              transport: config.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            },
          }),
        }),
      ],
    };
  }
}
