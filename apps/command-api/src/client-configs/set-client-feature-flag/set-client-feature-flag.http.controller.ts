import { BadRequestException, Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { problemType } from '@analytics/contracts';
import type { FastifyReply } from 'fastify';
import { CommandContext, CommandOutcome, CommandResult } from '../../shared/command-context';
import { replyWithOutcome } from '../../shared/command-reply';
import { CommandRequestContext } from '../../shared/command-request';
import { ApiCommandResponses } from '../../shared/api-command-responses';
import { FEATURE_FLAG_NAME } from '../../shared/json-object.validator';
import { SetClientFeatureFlag } from './set-client-feature-flag.command';
import { SetClientFeatureFlagRequest } from './set-client-feature-flag.request.dto';

@ApiTags('client-configs')
@Controller('client-configs')
export class SetClientFeatureFlagController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':id/feature-flags/:flag')
  @ApiOperation({ summary: 'Turn a feature flag of a client on or off (no event when it already is)' })
  @ApiCommandResponses()
  async set(
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Param('flag') flag: string,
    @Body() body: SetClientFeatureFlagRequest,
    @CommandRequestContext() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommandResult> {
    if (!FEATURE_FLAG_NAME.test(flag)) {
      throw new BadRequestException({
        type: problemType('validation-error'),
        detail: 'The flag name is not valid',
        errors: [
          { field: 'flag', message: 'must be lower-case letters, digits, "_", "." or "-", up to 64 characters' },
        ],
      });
    }
    const outcome = await this.commands.execute<SetClientFeatureFlag, CommandOutcome>(
      new SetClientFeatureFlag(id, flag, body.enabled, context),
    );
    return replyWithOutcome(reply, outcome);
  }
}
