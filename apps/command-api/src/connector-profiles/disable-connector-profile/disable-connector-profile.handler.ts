import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { CommandExecutor } from '../../shared/command-executor';
import { connectorProfileCommand, connectorProfileStream } from '../connector-profile.stream';
import { DisableConnectorProfile } from './disable-connector-profile.command';

@CommandHandler(DisableConnectorProfile)
export class DisableConnectorProfileHandler implements ICommandHandler<DisableConnectorProfile, CommandOutcome> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ id, context }: DisableConnectorProfile) {
    return this.executor.execute(connectorProfileStream, id, connectorProfileCommand({ type: 'disable' }), context);
  }
}
