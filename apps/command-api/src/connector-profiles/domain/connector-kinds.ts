import { CONNECTOR_KINDS, ConnectorKind, SSL_MODES } from '@analytics/contracts';
import { FieldError } from '@analytics/contracts';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  validateSync,
} from 'class-validator';

export { CONNECTOR_KINDS };
export type { ConnectorKind };

/**
 * The per-kind shapes of a connector's `config` and `secrets`, as class-validator classes. The
 * event contract (libs/contracts connector-profile.events.ts) describes the same shapes; a unit
 * test keeps the two in step.
 */

const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/;
const HOST_MESSAGE = 'must be a host name or an IP address';
/** Headers that carry credentials: those belong in the (encrypted) secrets, never in config. */
const AUTH_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-auth-token']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

function IsHeaderMap() {
  return ValidateBy({
    name: 'isHeaderMap',
    validator: {
      validate: (value) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length <= 50 &&
        Object.entries(value).every(
          ([name, header]) =>
            HEADER_NAME.test(name) &&
            !AUTH_HEADERS.has(name.toLowerCase()) &&
            typeof header === 'string' &&
            header.length <= 1024,
        ),
      defaultMessage: () =>
        'headers must map header names to strings (at most 50), without credentials ' +
        '(Authorization, Cookie, X-Api-Key ... go in secrets)',
    },
  });
}

export class DatabaseConfig {
  @IsString()
  @Matches(HOST, { message: `host ${HOST_MESSAGE}` })
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @IsString()
  @Length(1, 128)
  database!: string;

  @IsString()
  @Length(1, 128)
  username!: string;

  @IsOptional()
  @IsIn(SSL_MODES)
  sslMode?: (typeof SSL_MODES)[number];
}

export class RestApiConfig {
  @IsString()
  @Length(1, 2048)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'baseUrl must be an https URL' },
  )
  baseUrl!: string;

  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}

export class KafkaConfig {
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { each: true, message: 'each of brokers must be host:port' })
  brokers!: string[];

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'topicPrefix must be 1 to 100 of A-Z a-z 0-9 . _ -' })
  topicPrefix?: string;
}

export class S3Config {
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'bucket must be a valid S3 bucket name' })
  bucket!: string;

  @IsString()
  @Matches(/^[a-z0-9-]{2,32}$/, { message: 'region must be a region name such as eu-west-3' })
  region!: string;

  @IsOptional()
  @IsString()
  @Length(0, 1024)
  prefix?: string;

  @IsOptional()
  @IsString()
  @Length(1, 2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'endpoint must be an http(s) URL' },
  )
  endpoint?: string;
}

export class SftpConfig {
  @IsString()
  @Matches(HOST, { message: `host ${HOST_MESSAGE}` })
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  port!: number;

  @IsString()
  @Length(1, 128)
  username!: string;

  @IsOptional()
  @IsString()
  @Length(1, 1024)
  @Matches(/^\//, { message: 'path must be absolute (start with /)' })
  path?: string;
}

const MAX_SECRET_LENGTH = 16_384;

class DatabaseSecrets {
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) password?: string;
}
class RestApiSecrets {
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) token?: string;
}
class KafkaSecrets {
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) saslUsername?: string;
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) saslPassword?: string;
}
class S3Secrets {
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) accessKeyId?: string;
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) secretAccessKey?: string;
}
class SftpSecrets {
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) password?: string;
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) privateKey?: string;
  @IsOptional() @IsString() @Length(1, MAX_SECRET_LENGTH) passphrase?: string;
}

type Shape = new () => object;

/** Per kind: the class its `config` must satisfy and the class of its `secrets`. */
export const CONNECTOR_KIND_SHAPES: Record<ConnectorKind, { config: Shape; secrets: Shape }> = {
  postgres: { config: DatabaseConfig, secrets: DatabaseSecrets },
  mysql: { config: DatabaseConfig, secrets: DatabaseSecrets },
  rest_api: { config: RestApiConfig, secrets: RestApiSecrets },
  kafka: { config: KafkaConfig, secrets: KafkaSecrets },
  s3: { config: S3Config, secrets: S3Secrets },
  sftp: { config: SftpConfig, secrets: SftpSecrets },
};

/**
 * What is wrong with `config` and/or `secrets` for a connector of `kind`, as field errors with
 * paths like `config.port` (empty: nothing). Unknown fields are errors. Messages never contain the
 * values, so a rejected secret is not echoed back or logged.
 */
export function connectorSettingsErrors(
  kind: ConnectorKind,
  settings: { config?: Record<string, unknown>; secrets?: Record<string, string> },
): FieldError[] {
  const shapes = CONNECTOR_KIND_SHAPES[kind];
  const errors: FieldError[] = [];
  if (settings.config !== undefined) errors.push(...check(shapes.config, settings.config, 'config'));
  if (settings.secrets !== undefined) errors.push(...check(shapes.secrets, settings.secrets, 'secrets'));
  return errors;
}

function check(shape: Shape, value: object, parent: string): FieldError[] {
  const errors = validateSync(plainToInstance(shape, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  return errors.flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => ({ field: `${parent}.${error.property}`, message })),
  );
}
