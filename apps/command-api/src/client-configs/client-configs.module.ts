import { Module } from '@nestjs/common';
import { ArchiveClientConfigController } from './archive-client-config/archive-client-config.http.controller';
import { ArchiveClientConfigHandler } from './archive-client-config/archive-client-config.handler';
import { ChangeClientConfigSettingsController } from './change-client-config-settings/change-client-config-settings.http.controller';
import { ChangeClientConfigSettingsHandler } from './change-client-config-settings/change-client-config-settings.handler';
import { CreateClientConfigController } from './create-client-config/create-client-config.http.controller';
import { CreateClientConfigHandler } from './create-client-config/create-client-config.handler';
import { SetClientFeatureFlagController } from './set-client-feature-flag/set-client-feature-flag.http.controller';
import { SetClientFeatureFlagHandler } from './set-client-feature-flag/set-client-feature-flag.handler';

/** Client configurations: create, change settings (merge patch), set a feature flag, archive. */
@Module({
  controllers: [
    CreateClientConfigController,
    ChangeClientConfigSettingsController,
    SetClientFeatureFlagController,
    ArchiveClientConfigController,
  ],
  providers: [
    CreateClientConfigHandler,
    ChangeClientConfigSettingsHandler,
    SetClientFeatureFlagHandler,
    ArchiveClientConfigHandler,
  ],
})
export class ClientConfigsModule {}
