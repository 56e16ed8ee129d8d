import { CommandContext } from '../../shared/command-context';

export class ArchiveConnectorProfile {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
