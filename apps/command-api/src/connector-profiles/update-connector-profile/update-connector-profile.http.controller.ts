import { Body, Controller, Param, ParseUUIDPipe, Patch, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { UpdateConnectorProfile } from './update-connector-profile.command';
import { UpdateConnectorProfileRequest } from './update-connector-profile.request.dto';

@ApiTags('connector-profiles')
@Controller('connector-profiles')
export class UpdateConnectorProfileController {
  constructor(private readonly commands: CommandBus) {}

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the name, config, tags or secrets of a connector profile',
    description: 'Records only what changed (nothing changed: same version). Archived: 409 connector-archived.',
  })
  @ApiCommandResponses()
  async update(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: UpdateConnectorProfileRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<UpdateConnectorProfile, CommandOutcome>(
      new UpdateConnectorProfile(id, body, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
