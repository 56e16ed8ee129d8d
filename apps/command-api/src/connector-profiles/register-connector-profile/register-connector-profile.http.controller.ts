import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { RegisterConnectorProfile } from './register-connector-profile.command';
import { RegisterConnectorProfileRequest } from './register-connector-profile.request.dto';

@ApiTags('connector-profiles')
@Controller('connector-profiles')
export class RegisterConnectorProfileController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register a connector profile for a client',
    description:
      'Unknown client: 422 client-not-found; archived client: 409 client-archived; name used by another ' +
      'non-archived profile of the client: 409 connector-name-taken; config or secrets invalid for the kind: 400.',
  })
  @ApiCommandResponses({ creates: true })
  async register(
    @Body() body: RegisterConnectorProfileRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<RegisterConnectorProfile, CommandOutcome>(
      new RegisterConnectorProfile(randomUUID(), body, context),
    );
    return replyWithOutcome(reply, outcome, `/v1/connector-profiles/${outcome.result.id}`);
  }
}
