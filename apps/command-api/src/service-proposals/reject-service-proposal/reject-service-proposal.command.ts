import { CommandContext } from '../../shared/command-context';

export class RejectServiceProposal {
  constructor(
    readonly id: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}
