import type { FastifyReply } from 'fastify';
import { CommandOutcome, CommandResult } from './command-context';

/**
 * The HTTP answer to an accepted command: `{ id, version, position }`, the new version as ETag
 * (for the next If-Match), whether it is a stored answer to a repeated Idempotency-Key, and for
 * creations where the resource lives.
 */
export function replyWithOutcome(reply: FastifyReply, outcome: CommandOutcome, location?: string): CommandResult {
  void reply.header('etag', `"${outcome.result.version}"`).header('idempotent-replayed', String(outcome.replayed));
  if (location) void reply.header('location', location);
  return outcome.result;
}
