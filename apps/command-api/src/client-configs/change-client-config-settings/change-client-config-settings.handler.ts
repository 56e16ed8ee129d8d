import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { clientConfigCommand, clientConfigStream } from '../client-config.stream';
import { ChangeClientConfigSettings } from './change-client-config-settings.command';

@CommandHandler(ChangeClientConfigSettings)
export class ChangeClientConfigSettingsHandler implements ICommandHandler<ChangeClientConfigSettings, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, patch, context }: ChangeClientConfigSettings) {
    return this.executor.execute(
      clientConfigStream,
      id,
      clientConfigCommand({ type: 'change-settings', patch }),
      context,
    );
  }
}
