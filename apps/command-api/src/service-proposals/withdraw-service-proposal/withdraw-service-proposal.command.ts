import { CommandContext } from '../../shared/command-context';

export class WithdrawServiceProposal {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
