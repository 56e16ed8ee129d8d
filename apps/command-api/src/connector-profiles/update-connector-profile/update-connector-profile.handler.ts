import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { CommandExecutor } from '../../shared/command-executor';
import { connectorProfileStream, updateConnectorProfile } from '../connector-profile.stream';
import { SecretBox } from '../../secrets/secret-box';
import { UpdateConnectorProfile } from './update-connector-profile.command';

@CommandHandler(UpdateConnectorProfile)
export class UpdateConnectorProfileHandler implements ICommandHandler<UpdateConnectorProfile, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly box: SecretBox,
  ) {}

  execute({ id, request, context }: UpdateConnectorProfile) {
    return this.executor.execute(connectorProfileStream, id, updateConnectorProfile(id, request, this.box), context);
  }
}
