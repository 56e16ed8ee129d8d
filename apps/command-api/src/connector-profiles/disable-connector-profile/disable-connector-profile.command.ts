import { CommandContext } from '../../shared/command-context';

export class DisableConnectorProfile {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
