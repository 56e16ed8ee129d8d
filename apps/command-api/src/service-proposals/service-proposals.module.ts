import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '../shared/clock';
import { AcceptServiceProposalController } from './accept-service-proposal/accept-service-proposal.http.controller';
import { AcceptServiceProposalHandler } from './accept-service-proposal/accept-service-proposal.handler';
import { DraftServiceProposalController } from './draft-service-proposal/draft-service-proposal.http.controller';
import { DraftServiceProposalHandler } from './draft-service-proposal/draft-service-proposal.handler';
import { RejectServiceProposalController } from './reject-service-proposal/reject-service-proposal.http.controller';
import { RejectServiceProposalHandler } from './reject-service-proposal/reject-service-proposal.handler';
import { ReviseServiceProposalController } from './revise-service-proposal/revise-service-proposal.http.controller';
import { ReviseServiceProposalHandler } from './revise-service-proposal/revise-service-proposal.handler';
import { SubmitServiceProposalController } from './submit-service-proposal/submit-service-proposal.http.controller';
import { SubmitServiceProposalHandler } from './submit-service-proposal/submit-service-proposal.handler';
import { WithdrawServiceProposalController } from './withdraw-service-proposal/withdraw-service-proposal.http.controller';
import { WithdrawServiceProposalHandler } from './withdraw-service-proposal/withdraw-service-proposal.handler';

/** Service proposals: draft, revise (drafts only), submit, then accept (until validUntil), reject or withdraw. */
@Module({
  controllers: [
    DraftServiceProposalController,
    ReviseServiceProposalController,
    SubmitServiceProposalController,
    AcceptServiceProposalController,
    RejectServiceProposalController,
    WithdrawServiceProposalController,
  ],
  providers: [
    { provide: Clock, useClass: SystemClock },
    DraftServiceProposalHandler,
    ReviseServiceProposalHandler,
    SubmitServiceProposalHandler,
    AcceptServiceProposalHandler,
    RejectServiceProposalHandler,
    WithdrawServiceProposalHandler,
  ],
})
export class ServiceProposalsModule {}
