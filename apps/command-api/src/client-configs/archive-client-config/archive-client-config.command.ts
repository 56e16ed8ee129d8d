import { CommandContext } from '../../shared/command-context';

export class ArchiveClientConfig {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
