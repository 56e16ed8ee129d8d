import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { clientConfigCommand, clientConfigStream } from '../client-config.stream';
import { CreateClientConfig } from './create-client-config.command';

@CommandHandler(CreateClientConfig)
export class CreateClientConfigHandler implements ICommandHandler<CreateClientConfig, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, request, context }: CreateClientConfig) {
    const command = clientConfigCommand({
      type: 'create',
      ...request,
      settings: request.settings ?? {},
      featureFlags: request.featureFlags ?? {},
    });
    return this.executor.execute(clientConfigStream, id, command, context);
  }
}
