import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { ClientConfigStore } from '../client-config.store';
import { CreateClientConfig } from './create-client-config.command';

@CommandHandler(CreateClientConfig)
export class CreateClientConfigHandler implements ICommandHandler<CreateClientConfig, CommandOutcome> {
  constructor(private readonly store: ClientConfigStore) {}

  execute({ id, request, context }: CreateClientConfig) {
    return this.store.execute(
      id,
      { type: 'create', ...request, settings: request.settings ?? {}, featureFlags: request.featureFlags ?? {} },
      context,
    );
  }
}
