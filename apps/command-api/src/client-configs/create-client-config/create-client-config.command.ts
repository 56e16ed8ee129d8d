import { CommandContext } from '../../shared/command-context';
import { CreateClientConfigRequest } from './create-client-config.request.dto';

export class CreateClientConfig {
  constructor(
    readonly id: string,
    readonly request: CreateClientConfigRequest,
    readonly context: CommandContext,
  ) {}
}
