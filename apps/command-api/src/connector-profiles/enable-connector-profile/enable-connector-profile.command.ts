import { CommandContext } from '../../shared/command-context';

export class EnableConnectorProfile {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
