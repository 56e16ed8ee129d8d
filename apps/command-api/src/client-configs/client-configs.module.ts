import { Module } from '@nestjs/common';
import { ArchiveClientConfigController } from './archive-client-config/archive-client-config.http.controller';
import { ArchiveClientConfigHandler } from './archive-client-config/archive-client-config.handler';
import { ChangeClientConfigSettingsController } from './change-client-config-settings/change-client-config-settings.http.controller';
import { ChangeClientConfigSettingsHandler } from './change-client-config-settings/change-client-config-settings.handler';
import { ClientConfigStore } from './client-config.store';
import { CreateClientConfigController } from './create-client-config/create-client-config.http.controller';
import { CreateClientConfigHandler } from './create-client-config/create-client-config.handler';

/** Client configurations: create, change settings (merge patch), archive. */
@Module({
  controllers: [CreateClientConfigController, ChangeClientConfigSettingsController, ArchiveClientConfigController],
  providers: [
    ClientConfigStore,
    CreateClientConfigHandler,
    ChangeClientConfigSettingsHandler,
    ArchiveClientConfigHandler,
  ],
})
export class ClientConfigsModule {}
