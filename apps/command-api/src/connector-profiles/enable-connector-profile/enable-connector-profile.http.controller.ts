import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { TakesNoBody } from '../../shared/no-request-body';
import { EnableConnectorProfile } from './enable-connector-profile.command';

@ApiTags('connector-profiles')
@Controller('connector-profiles')
export class EnableConnectorProfileController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/enable')
  @HttpCode(200)
  @TakesNoBody()
  @ApiOperation({ summary: 'Enable a disabled connector profile (no event when it already is enabled)' })
  @ApiCommandResponses()
  async enable(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<EnableConnectorProfile, CommandOutcome>(
      new EnableConnectorProfile(id, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
