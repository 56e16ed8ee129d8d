import { CommandContext } from '../../shared/command-context';

export class SubmitServiceProposal {
  constructor(
    readonly id: string,
    readonly context: CommandContext,
  ) {}
}
