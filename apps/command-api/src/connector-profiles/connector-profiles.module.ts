import { Module } from '@nestjs/common';
import { ArchiveConnectorProfileController } from './archive-connector-profile/archive-connector-profile.http.controller';
import { ArchiveConnectorProfileHandler } from './archive-connector-profile/archive-connector-profile.handler';
import { DisableConnectorProfileController } from './disable-connector-profile/disable-connector-profile.http.controller';
import { DisableConnectorProfileHandler } from './disable-connector-profile/disable-connector-profile.handler';
import { EnableConnectorProfileController } from './enable-connector-profile/enable-connector-profile.http.controller';
import { EnableConnectorProfileHandler } from './enable-connector-profile/enable-connector-profile.handler';
import { RegisterConnectorProfileController } from './register-connector-profile/register-connector-profile.http.controller';
import { RegisterConnectorProfileHandler } from './register-connector-profile/register-connector-profile.handler';
import { UpdateConnectorProfileController } from './update-connector-profile/update-connector-profile.http.controller';
import { UpdateConnectorProfileHandler } from './update-connector-profile/update-connector-profile.handler';

/** Connector profiles: register, update (name, config, tags, secrets), disable, enable, archive. */
@Module({
  controllers: [
    RegisterConnectorProfileController,
    UpdateConnectorProfileController,
    DisableConnectorProfileController,
    EnableConnectorProfileController,
    ArchiveConnectorProfileController,
  ],
  providers: [
    RegisterConnectorProfileHandler,
    UpdateConnectorProfileHandler,
    DisableConnectorProfileHandler,
    EnableConnectorProfileHandler,
    ArchiveConnectorProfileHandler,
  ],
})
export class ConnectorProfilesModule {}
