import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandOutcome } from '../../shared/command-context';
import { CommandExecutor } from '../../shared/command-executor';
import { connectorProfileStream, registerConnectorProfile } from '../connector-profile.stream';
import { SecretBox } from '../../secrets/secret-box';
import { RegisterConnectorProfile } from './register-connector-profile.command';

@CommandHandler(RegisterConnectorProfile)
export class RegisterConnectorProfileHandler implements ICommandHandler<RegisterConnectorProfile, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly box: SecretBox,
  ) {}

  execute({ id, request, context }: RegisterConnectorProfile) {
    const command = registerConnectorProfile(
      id,
      // Optional members sent as null count as absent.
      { ...request, tags: request.tags ?? [], secrets: request.secrets ?? undefined },
      this.box,
    );
    return this.executor.execute(connectorProfileStream, id, command, context);
  }
}
