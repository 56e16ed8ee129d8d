import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { TakesNoBody } from '../../shared/no-request-body';
import { ArchiveClientConfig } from './archive-client-config.command';

@ApiTags('client-configs')
@Controller('client-configs')
export class ArchiveClientConfigController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/archive')
  @HttpCode(200)
  @TakesNoBody()
  @ApiOperation({ summary: 'Archive a client configuration (it then accepts no commands)' })
  @ApiCommandResponses()
  async archive(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<ArchiveClientConfig, CommandOutcome>(
      new ArchiveClientConfig(id, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
