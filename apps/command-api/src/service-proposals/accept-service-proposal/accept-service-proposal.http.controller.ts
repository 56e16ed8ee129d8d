import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { TakesNoBody } from '../../shared/no-request-body';
import { AcceptServiceProposal } from './accept-service-proposal.command';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class AcceptServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/accept')
  @HttpCode(200)
  @TakesNoBody()
  @ApiOperation({
    summary: 'Accept a submitted proposal up to its validUntil (409 proposal-not-submitted, 409 proposal-expired)',
  })
  @ApiCommandResponses()
  async accept(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<AcceptServiceProposal, CommandOutcome>(
      new AcceptServiceProposal(id, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
