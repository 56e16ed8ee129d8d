import { CommandContext } from '../../shared/command-context';

export class AcceptServiceProposal {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
