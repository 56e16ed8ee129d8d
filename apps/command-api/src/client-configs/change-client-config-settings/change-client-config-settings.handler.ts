import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { ClientConfigStore } from '../client-config.store';
import { ChangeClientConfigSettings } from './change-client-config-settings.command';

@CommandHandler(ChangeClientConfigSettings)
export class ChangeClientConfigSettingsHandler implements ICommandHandler<ChangeClientConfigSettings, CommandOutcome> {
  constructor(private readonly store: ClientConfigStore) {}

  execute({ id, patch, context }: ChangeClientConfigSettings) {
    return this.store.execute(id, { type: 'change-settings', patch }, context);
  }
}
