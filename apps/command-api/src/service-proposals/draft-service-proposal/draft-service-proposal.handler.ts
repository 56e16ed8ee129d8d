import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { DraftServiceProposal } from './draft-service-proposal.command';

@CommandHandler(DraftServiceProposal)
export class DraftServiceProposalHandler implements ICommandHandler<DraftServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, request, context }: DraftServiceProposal) {
    const { clientId, title, lineItems, validUntil } = request;
    const command = serviceProposalCommand({ type: 'draft', clientId, title, lineItems, validUntil }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
