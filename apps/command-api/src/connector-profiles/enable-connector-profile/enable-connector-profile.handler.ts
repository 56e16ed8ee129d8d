import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { CommandExecutor } from '../../shared/command-executor';
import { connectorProfileCommand, connectorProfileStream } from '../connector-profile.stream';
import { EnableConnectorProfile } from './enable-connector-profile.command';

@CommandHandler(EnableConnectorProfile)
export class EnableConnectorProfileHandler implements ICommandHandler<EnableConnectorProfile, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, context }: EnableConnectorProfile) {
    return this.executor.execute(connectorProfileStream, id, connectorProfileCommand({ type: 'enable' }), context);
  }
}
