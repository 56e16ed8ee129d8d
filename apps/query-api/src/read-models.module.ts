import { Module } from '@nestjs/common';
import { ClientsController } from './clients/clients.http.controller';
import { ConnectorProfilesController } from './connector-profiles/connector-profiles.http.controller';
import { ServiceProposalsController } from './service-proposals/service-proposals.http.controller';

/** The queries over the read model, cached in Redis (QueryCache), with read-your-writes (X-Min-Position). */
@Module({
  controllers: [ClientsController, ConnectorProfilesController, ServiceProposalsController],
})
export class ReadModelsModule {}
