import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../shared/clock';
import { CommandExecutor } from '../../shared/command-executor';
import { CommandOutcome } from '../../shared/command-context';
import { serviceProposalCommand, serviceProposalStream } from '../service-proposal.stream';
import { SubmitServiceProposal } from './submit-service-proposal.command';

@CommandHandler(SubmitServiceProposal)
export class SubmitServiceProposalHandler implements ICommandHandler<SubmitServiceProposal, CommandOutcome> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
  ) {}

  execute({ id, context }: SubmitServiceProposal) {
    const command = serviceProposalCommand({ type: 'submit' }, this.clock);
    return this.executor.execute(serviceProposalStream, id, command, context);
  }
}
