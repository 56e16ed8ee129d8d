import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { ReviseServiceProposal } from './revise-service-proposal.command';

@CommandHandler(ReviseServiceProposal)
export class ReviseServiceProposalHandler implements ICommandHandler<ReviseServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, request, context }: ReviseServiceProposal) {
    const { title, lineItems, validUntil } = request;
    const command = serviceProposalCommand({ type: 'revise', title, lineItems, validUntil }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
