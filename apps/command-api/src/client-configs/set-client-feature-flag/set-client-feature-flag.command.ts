import { CommandContext } from '../../shared/command-context';

export class SetClientFeatureFlag {
  constructor(
    readonly id: string,
    readonly flag: string,
    readonly enabled: boolean,
    readonly context: CommandContext,
  ) {}
}
