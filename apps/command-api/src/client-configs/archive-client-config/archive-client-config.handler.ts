import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { ClientConfigStore } from '../client-config.store';
import { ArchiveClientConfig } from './archive-client-config.command';

@CommandHandler(ArchiveClientConfig)
export class ArchiveClientConfigHandler implements ICommandHandler<ArchiveClientConfig, CommandOutcome> {
  constructor(private readonly store: ClientConfigStore) {}

  execute({ id, context }: ArchiveClientConfig) {
    return this.store.execute(id, { type: 'archive' }, context);
  }
}
