import { Body, Controller, Param, ParseUUIDPipe, Patch, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { ChangeClientConfigSettings } from './change-client-config-settings.command';
import { ChangeClientConfigSettingsRequest } from './change-client-config-settings.request.dto';

@ApiTags('client-configs')
@Controller('client-configs')
export class ChangeClientConfigSettingsController {
  constructor(private readonly commands: CommandBus) {}

  @Patch(':id')
  @ApiOperation({ summary: "Change a client's settings with a JSON Merge Patch" })
  @ApiCommandResponses()
  async change(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: ChangeClientConfigSettingsRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<ChangeClientConfigSettings, CommandOutcome>(
      new ChangeClientConfigSettings(id, body.settings, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
