import { CommandContext } from '../../shared/command-context';
import { RegisterConnectorProfileRequest } from './register-connector-profile.request.dto';

export class RegisterConnectorProfile {
  constructor(
    readonly id: string,
    readonly request: RegisterConnectorProfileRequest,
    readonly context: CommandContext,
  ) {}
}
