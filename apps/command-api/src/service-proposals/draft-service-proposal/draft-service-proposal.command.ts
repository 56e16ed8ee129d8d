import { CommandContext } from '../../shared/command-context';
import { DraftServiceProposalRequest } from './draft-service-proposal.request.dto';

export class DraftServiceProposal {
  constructor(
    readonly id: string,
    readonly request: DraftServiceProposalRequest,
    readonly context: CommandContext,
  ) {}
}
