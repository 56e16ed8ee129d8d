import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { CommandExecutor } from '../../shared/command-executor';
import { connectorProfileCommand, connectorProfileStream } from '../connector-profile.stream';
import { ArchiveConnectorProfile } from './archive-connector-profile.command';

@CommandHandler(ArchiveConnectorProfile)
export class ArchiveConnectorProfileHandler implements ICommandHandler<ArchiveConnectorProfile, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, context }: ArchiveConnectorProfile) {
    return this.executor.execute(connectorProfileStream, id, connectorProfileCommand({ type: 'archive' }), context);
  }
}
