import { CanActivate, ExecutionContext, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** How a command ended, as operators want to count it. */
export type CommandOutcomeLabel = 'accepted' | 'replayed' | 'rejected' | 'conflict' | 'failed';

export function outcomeOf(status: number, replayed: boolean): CommandOutcomeLabel {
  if (status >= 500) return 'failed';
  if (status === 409) return 'conflict';
  if (status >= 400) return 'rejected';
  return replayed ? 'replayed' : 'accepted';
}

/** What the guard notes on a command's request, for the hook that sees its answer. */
const COMMAND = Symbol('command');
type CommandRequest = FastifyRequest & { [COMMAND]?: { command: string; startedMs: number } };

/**
 * Counts every command by type and outcome and times it (validation included), so a dashboard
 * shows the rate, the error ratio and the latency of each use case. The command type is the
 * use case's controller (`CreateClientConfig`).
 *
 * A global guard (it runs first for every route, and always lets the request through) names the
 * command and starts the clock; a Fastify onSend hook records the outcome from the answer's
 * status, which the exception filters have set by then for a refused command. Not an
 * interceptor: with one, Nest runs every route through an Observable chain (rxjs, async context
 * binding), which cost about a tenth of command-api's CPU per command.
 */
@Injectable()
export class CommandMetrics implements CanActivate, OnModuleInit {
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly duration: Histogram<'command' | 'outcome'>;

  constructor(
    registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {
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

  onModuleInit() {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (request, reply, payload, done) => {
      this.record(request, reply);
      done(null, payload);
    });
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CommandRequest>();
    if (MUTATING.has(request.method)) {
      request[COMMAND] = { command: context.getClass().name.replace(/Controller$/, ''), startedMs: performance.now() };
    }
    return true;
  }

  private record(request: CommandRequest, reply: FastifyReply) {
    const noted = request[COMMAND];
    if (!noted) return;
    request[COMMAND] = undefined; // once per request, whatever the hook is called for
    const outcome = outcomeOf(reply.statusCode, reply.getHeader('idempotent-replayed') === 'true');
    const labels = { command: noted.command, outcome };
    this.commands.inc(labels);
    this.duration.observe(labels, (performance.now() - noted.startedMs) / 1000);
  }
}
