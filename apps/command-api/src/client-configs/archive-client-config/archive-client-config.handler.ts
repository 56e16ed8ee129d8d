import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { clientConfigCommand, clientConfigStream } from '../client-config.stream';
import { ArchiveClientConfig } from './archive-client-config.command';

@CommandHandler(ArchiveClientConfig)
export class ArchiveClientConfigHandler implements ICommandHandler<ArchiveClientConfig, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, context }: ArchiveClientConfig) {
    return this.executor.execute(clientConfigStream, id, clientConfigCommand({ type: 'archive' }), context);
  }
}
