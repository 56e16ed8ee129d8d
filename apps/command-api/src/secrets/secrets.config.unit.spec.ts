import { randomBytes } from 'node:crypto';
import { DEVELOPMENT_SECRETS_KEY, SecretsConfig, secretsConfig } from './secrets.config';

describe('secrets config (SECRETS_ENCRYPTION_KEY)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const load = (env: Record<string, string | undefined>): SecretsConfig => {
    process.env = { ...saved };
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return secretsConfig() as SecretsConfig;
  };

  it('uses the given key', () => {
    const key = randomBytes(32);
    expect(load({ SECRETS_ENCRYPTION_KEY: key.toString('base64'), NODE_ENV: 'production' })).toEqual({
      key,
      developmentKey: false,
    });
  });

  it('falls back to the development key outside production', () => {
    const config = load({ SECRETS_ENCRYPTION_KEY: undefined, NODE_ENV: 'test' });
    expect(config).toEqual({ key: Buffer.from(DEVELOPMENT_SECRETS_KEY, 'base64'), developmentKey: true });
    expect(config.key).toHaveLength(32);
  });

  it('flags the development key when it is given explicitly (production may run with it, with a warning)', () => {
    expect(load({ SECRETS_ENCRYPTION_KEY: DEVELOPMENT_SECRETS_KEY, NODE_ENV: 'production' }).developmentKey).toBe(true);
  });

  it('refuses to start in production without a key', () => {
    expect(() => load({ SECRETS_ENCRYPTION_KEY: undefined, NODE_ENV: 'production' })).toThrow(
      /SECRETS_ENCRYPTION_KEY: required when NODE_ENV is production/,
    );
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    expect(() => load({ SECRETS_ENCRYPTION_KEY: randomBytes(16).toString('base64') })).toThrow(/exactly 32 bytes/);
    expect(() => load({ SECRETS_ENCRYPTION_KEY: 'not base64 at all' })).toThrow(/SECRETS_ENCRYPTION_KEY/);
  });
});
