import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { TakesNoBody } from '../../shared/no-request-body';
import { WithdrawServiceProposal } from './withdraw-service-proposal.command';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class WithdrawServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/withdraw')
  @HttpCode(200)
  @TakesNoBody()
  @ApiOperation({ summary: 'Withdraw a draft or submitted proposal (otherwise 409 proposal-not-open)' })
  @ApiCommandResponses()
  async withdraw(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<WithdrawServiceProposal, CommandOutcome>(
      new WithdrawServiceProposal(id, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
