import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { CreateClientConfig } from './create-client-config.command';
import { CreateClientConfigRequest } from './create-client-config.request.dto';

@ApiTags('client-configs')
@Controller('client-configs')
export class CreateClientConfigController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a client configuration' })
  @ApiCommandResponses({ creates: true })
  async create(
    @Body() body: CreateClientConfigRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    const outcome = await this.commands.execute<CreateClientConfig, CommandOutcome>(
      new CreateClientConfig(randomUUID(), body, context),
    );
    return replyWithOutcome(reply, outcome, `/v1/client-configs/${outcome.result.id}`);
  }
}
