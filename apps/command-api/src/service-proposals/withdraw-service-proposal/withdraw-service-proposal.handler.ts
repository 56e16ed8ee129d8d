import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { WithdrawServiceProposal } from './withdraw-service-proposal.command';

@CommandHandler(WithdrawServiceProposal)
export class WithdrawServiceProposalHandler implements ICommandHandler<WithdrawServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, context }: WithdrawServiceProposal) {
    const command = serviceProposalCommand({ type: 'withdraw' }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
