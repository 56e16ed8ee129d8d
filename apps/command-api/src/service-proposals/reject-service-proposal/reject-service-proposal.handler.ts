import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { RejectServiceProposal } from './reject-service-proposal.command';

@CommandHandler(RejectServiceProposal)
export class RejectServiceProposalHandler implements ICommandHandler<RejectServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, reason, context }: RejectServiceProposal) {
    const command = serviceProposalCommand({ type: 'reject', reason }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
