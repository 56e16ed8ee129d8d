import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { AcceptServiceProposal } from './accept-service-proposal.command';

@CommandHandler(AcceptServiceProposal)
export class AcceptServiceProposalHandler implements ICommandHandler<AcceptServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, context }: AcceptServiceProposal) {
    const command = serviceProposalCommand({ type: 'accept' }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
