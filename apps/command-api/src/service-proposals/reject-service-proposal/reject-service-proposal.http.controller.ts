import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { RejectServiceProposal } from './reject-service-proposal.command';
import { RejectServiceProposalRequest } from './reject-service-proposal.request.dto';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class RejectServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a submitted proposal, with a reason (not submitted: 409 proposal-not-submitted)' })
  @ApiCommandResponses()
  async reject(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: RejectServiceProposalRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<RejectServiceProposal, CommandOutcome>(
      new RejectServiceProposal(id, body.reason, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
