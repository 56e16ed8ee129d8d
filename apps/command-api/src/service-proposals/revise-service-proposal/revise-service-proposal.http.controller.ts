import { Body, Controller, Param, ParseUUIDPipe, Patch, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { ReviseServiceProposal } from './revise-service-proposal.command';
import { ReviseServiceProposalRequest } from './revise-service-proposal.request.dto';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class ReviseServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Patch(':id')
  @ApiOperation({
    summary: 'Revise a draft proposal (title, lineItems, validUntil); the total is recomputed',
    description: 'Not a draft: 409 proposal-not-draft. No change: 200 with the current version and no event.',
  })
  @ApiCommandResponses()
  async revise(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: ReviseServiceProposalRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<ReviseServiceProposal, CommandOutcome>(
      new ReviseServiceProposal(id, body, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
