import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { TakesNoBody } from '../../shared/no-request-body';
import { SubmitServiceProposal } from './submit-service-proposal.command';

@ApiTags('service-proposals')
@Controller('service-proposals')
export class SubmitServiceProposalController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/submit')
  @HttpCode(200)
  @TakesNoBody()
  @ApiOperation({
    summary:
      'Submit a draft proposal to the client (not a draft: 409 proposal-not-draft; expired: 409 proposal-expired)',
  })
  @ApiCommandResponses()
  async submit(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<SubmitServiceProposal, CommandOutcome>(
      new SubmitServiceProposal(id, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
