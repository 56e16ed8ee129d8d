import { registerAs } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** Raised at boot when the environment does not satisfy a config namespace. */
export class InvalidConfigurationError extends Error {
  constructor(namespace: string, problems: string[]) {
    super(`Invalid configuration for "${namespace}":\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidConfigurationError';
  }
}

type EnvClass<E extends object> = new () => E;

/**
 * Reads and validates the environment variables of one config namespace.
 *
 * `Env` is a class whose properties are named after the environment variables and carry
 * class-validator / class-transformer decorators (and defaults as property initialisers).
 * Unknown variables are ignored; a missing or malformed one throws InvalidConfigurationError.
 */
export function readEnvironment<E extends object>(
  namespace: string,
  Env: EnvClass<E>,
  source: NodeJS.ProcessEnv = process.env,
): E {
  const declared = Object.keys(new Env());
  const present = Object.fromEntries(
    declared.filter((key) => source[key] !== undefined && source[key] !== '').map((key) => [key, source[key]]),
  );
  const env = plainToInstance(Env, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new InvalidConfigurationError(namespace, errors.flatMap(describe));
  }
  return env;
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`);
  return [...own, ...(error.children ?? []).flatMap(describe)];
}

/**
 * Declares a typed, validated configuration namespace for ConfigModule.
 *
 * The environment is read when the namespace is loaded (at boot, through DI), never at import
 * time, so tests can set variables before they create the application.
 *
 * @example
 *   export const redisConfig = defineConfig('redis', RedisEnv, (env) => ({ url: env.REDIS_URL }));
 *   // in a module: ConfigModule.forFeature(redisConfig); inject with @Inject(redisConfig.KEY)
 */
export function defineConfig<E extends object, C extends object>(
  namespace: string,
  Env: EnvClass<E>,
  toConfig: (env: E) => C,
) {
  return registerAs(namespace, (): C => toConfig(readEnvironment(namespace, Env)));
}
