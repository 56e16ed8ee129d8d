import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { DraftServiceProposal } from './draft-service-proposal.command';
import { DraftServiceProposalRequest } from './draft-service-proposal.request.dto';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class DraftServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Draft a service proposal for a client',
    description:
      "The currency is the client's; the total is computed from the lines. Unknown client: 422 client-not-found; " +
      'archived client: 409 client-archived; validUntil not in the future: 422 valid-until-not-future.',
  })
  @ApiCommandResponses({ creates: true })
  async draft(
    @Body() body: DraftServiceProposalRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<DraftServiceProposal, CommandOutcome>(
      new DraftServiceProposal(randomUUID(), body, context),
    );
    return replyWithOutcome(reply, outcome, `/v1/service-proposals/${outcome.result.id}`);
  }
}
