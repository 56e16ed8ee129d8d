import { defineConfig, InvalidConfigurationError } from '@analytics/config';
import { IsOptional, IsString, ValidateBy } from 'class-validator';

/**
 * The development key (base64 of the 32 ASCII bytes `analytics-engine-development-key`), used only
 * when SECRETS_ENCRYPTION_KEY is unset and NODE_ENV is not `production`. It is public: anything
 * sealed with it is as good as clear text. Production refuses to start without a key; giving the
 * development key explicitly (docker-compose's fallback) works but command-api logs a warning.
 */
export const DEVELOPMENT_SECRETS_KEY = 'YW5hbHl0aWNzLWVuZ2luZS1kZXZlbG9wbWVudC1rZXk=';

const isKey = (value: unknown) =>
  typeof value === 'string' &&
  /^[A-Za-z0-9+/]{43}=$/.test(value.trim()) &&
  Buffer.from(value.trim(), 'base64').length === 32;

class SecretsEnv {
  /** Base64 of 32 random bytes, e.g. `openssl rand -base64 32`. */
  @IsOptional()
  @ValidateBy({
    name: 'isAes256Key',
    validator: { validate: isKey, defaultMessage: () => 'must be the base64 encoding of exactly 32 bytes' },
  })
  SECRETS_ENCRYPTION_KEY?: string = undefined;

  @IsString()
  NODE_ENV = 'development';
}

export interface SecretsConfig {
  /** The AES-256-GCM key that seals connector secrets (32 bytes). */
  key: Buffer;
  /** True when the public development key is in use (defaulted outside production, or given): warn. */
  developmentKey: boolean;
}

/** Config namespace `secrets`: env `SECRETS_ENCRYPTION_KEY`, required when NODE_ENV is production. */
export const secretsConfig = defineConfig('secrets', SecretsEnv, (env): SecretsConfig => {
  if (env.SECRETS_ENCRYPTION_KEY) {
    const key = Buffer.from(env.SECRETS_ENCRYPTION_KEY.trim(), 'base64');
    return { key, developmentKey: key.equals(Buffer.from(DEVELOPMENT_SECRETS_KEY, 'base64')) };
  }
  if (env.NODE_ENV === 'production') {
    throw new InvalidConfigurationError('secrets', [
      'SECRETS_ENCRYPTION_KEY: required when NODE_ENV is production (base64 of 32 random bytes: openssl rand -base64 32)',
    ]);
  }
  return { key: Buffer.from(DEVELOPMENT_SECRETS_KEY, 'base64'), developmentKey: true };
});
