import { Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CommandExecutor } from '../shared/command-executor';
import { ArchiveConnectorProfileController } from './archive-connector-profile/archive-connector-profile.http.controller';
import { ArchiveConnectorProfileHandler } from './archive-connector-profile/archive-connector-profile.handler';
import { DisableConnectorProfileController } from './disable-connector-profile/disable-connector-profile.http.controller';
import { DisableConnectorProfileHandler } from './disable-connector-profile/disable-connector-profile.handler';
import { EnableConnectorProfileController } from './enable-connector-profile/enable-connector-profile.http.controller';
import { EnableConnectorProfileHandler } from './enable-connector-profile/enable-connector-profile.handler';
import { RegisterConnectorProfileController } from './register-connector-profile/register-connector-profile.http.controller';
import { RegisterConnectorProfileHandler } from './register-connector-profile/register-connector-profile.handler';
import { SecretBox } from './secrets/secret-box';
import { SecretsConfig, secretsConfig } from './secrets/secrets.config';
import { UpdateConnectorProfileController } from './update-connector-profile/update-connector-profile.http.controller';
import { UpdateConnectorProfileHandler } from './update-connector-profile/update-connector-profile.handler';

/** Connector profiles: register, update (name, config, tags, secrets), disable, enable, archive. */
@Module({
  imports: [ConfigModule.forFeature(secretsConfig)],
  controllers: [
    RegisterConnectorProfileController,
    UpdateConnectorProfileController,
    DisableConnectorProfileController,
    EnableConnectorProfileController,
    ArchiveConnectorProfileController,
  ],
  providers: [
    CommandExecutor,
    {
      provide: SecretBox,
      inject: [secretsConfig.KEY],
      useFactory: (config: SecretsConfig) => {
        if (config.developmentKey) {
          new Logger('ConnectorProfiles').warn(
            'Connector secrets are sealed with the public development key: set SECRETS_ENCRYPTION_KEY (openssl rand -base64 32)',
          );
        }
        return new SecretBox(config.key);
      },
    },
    RegisterConnectorProfileHandler,
    UpdateConnectorProfileHandler,
    DisableConnectorProfileHandler,
    EnableConnectorProfileHandler,
    ArchiveConnectorProfileHandler,
  ],
})
export class ConnectorProfilesModule {}
