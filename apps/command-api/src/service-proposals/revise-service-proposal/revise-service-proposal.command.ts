import { CommandContext } from '../../shared/command-context';
import { ReviseServiceProposalRequest } from './revise-service-proposal.request.dto';

export class ReviseServiceProposal {
  constructor(
    readonly id: string,
    readonly request: ReviseServiceProposalRequest,
    readonly context: CommandContext,
  ) {}
}
