import { Module } from '@nestjs/common';
import { ClientsController } from './clients/clients.http.controller';
import { ConnectorProfilesController } from './connector-profiles/connector-profiles.http.controller';
import { ServiceProposalsController } from './service-proposals/service-proposals.http.controller';

/** The queries over the read model (plain Postgres; the cache comes in front of them later). */
@Module({
  controllers: [ClientsController, ConnectorProfilesController, ServiceProposalsController],
})
export class ReadModelsModule {}
