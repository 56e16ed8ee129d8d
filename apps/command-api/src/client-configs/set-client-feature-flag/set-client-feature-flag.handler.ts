import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { clientConfigCommand, clientConfigStream } from '../client-config.stream';
import { SetClientFeatureFlag } from './set-client-feature-flag.command';

@CommandHandler(SetClientFeatureFlag)
export class SetClientFeatureFlagHandler implements ICommandHandler<SetClientFeatureFlag, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, flag, enabled, context }: SetClientFeatureFlag) {
    const command = clientConfigCommand({ type: 'set-feature-flag', flag, enabled });
    return this.executor.execute(clientConfigStream, id, command, context);
  }
}
