import { Global, Logger, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { RequestFingerprint } from './request-fingerprint';
import { SecretBox } from './secret-box';
import { SecretsConfig, secretsConfig } from './secrets.config';

/** Everything keyed by SECRETS_ENCRYPTION_KEY: sealing connector secrets, fingerprinting requests. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(secretsConfig)],
  providers: [
    {
      provide: SecretBox,
      inject: [secretsConfig.KEY],
      useFactory: (config: SecretsConfig) => {
        if (config.developmentKey) {
          new Logger('Secrets').warn(
            'Connector secrets are sealed with the public development key: set SECRETS_ENCRYPTION_KEY (openssl rand -base64 32)',
          );
        }
        return new SecretBox(config.key);
      },
    },
    {
      provide: RequestFingerprint,
      inject: [secretsConfig.KEY],
      useFactory: (config: SecretsConfig) => new RequestFingerprint(config.key),
    },
  ],
  exports: [SecretBox, RequestFingerprint],
})
export class SecretsModule {}
