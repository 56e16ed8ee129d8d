import { CommandContext } from '../../shared/command-context';

export class ChangeClientConfigSettings {
  constructor(
    readonly id: string,
    readonly patch: Record<string, unknown>,
    readonly context: CommandContext,
  ) {}
}
