import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { Observable, tap } from 'rxjs';
import { DomainError } from './domain-errors';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a command ended, as operators want to count it. */
export type CommandOutcomeLabel = 'accepted' | 'replayed' | 'rejected' | 'conflict' | 'failed';

export function outcomeOf(status: number, replayed: boolean): CommandOutcomeLabel {
  if (status >= 500) return 'failed';
  if (status === 409) return 'conflict';
  if (status >= 400) return 'rejected';
  return replayed ? 'replayed' : 'accepted';
}

/**
 * Counts every command by type and outcome and times it (validation included), so a dashboard
 * shows the rate, the error ratio and the latency of each use case. The command type is the
 * use case's controller (`CreateClientConfig`).
 */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly duration: Histogram<'command' | 'outcome'>;

  constructor(registry: Registry) {
    this.commands = new Counter({
      name: 'commands_total',
      help: 'Commands received, by type and outcome (accepted, replayed, rejected, conflict, failed)',
      labelNames: ['command', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'command_duration_seconds',
      help: 'Time from request to answer of a command, by type and outcome',
      labelNames: ['command', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!MUTATING.has(request.method)) return next.handle();
    const command = context.getClass().name.replace(/Controller$/, '');
    const stop = this.duration.startTimer({ command });
    const record = (outcome: CommandOutcomeLabel) => {
      stop({ outcome });
      this.commands.inc({ command, outcome });
    };
    return next.handle().pipe(
      tap({
        next: () => {
          const reply = context.switchToHttp().getResponse<FastifyReply>();
          record(outcomeOf(reply.statusCode, reply.getHeader('idempotent-replayed') === 'true'));
        },
        error: (error: unknown) => record(outcomeOf(statusOf(error), false)),
      }),
    );
  }
}

function statusOf(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  if (error instanceof DomainError) return error.status;
  return 500;
}
