import { CommandContext } from '../../shared/command-context';
import { UpdateConnectorProfileRequest } from './update-connector-profile.request.dto';

export class UpdateConnectorProfile {
  constructor(
    readonly id: string,
    readonly request: UpdateConnectorProfileRequest,
    readonly context: CommandContext,
  ) {}
}
