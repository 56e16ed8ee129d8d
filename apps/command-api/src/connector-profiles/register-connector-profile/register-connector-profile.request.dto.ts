import { CONNECTOR_KINDS, type ConnectorKind, MAX_CONNECTOR_TAGS } from '@analytics/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsJsonObject } from '../../shared/json-object.validator';
import { CONNECTOR_TAG, IsStringMap } from '../connector-profile.validators';

export class RegisterConnectorProfileRequest {
  @ApiProperty({ example: 'acme-corp', description: 'Slug of an existing, non-archived client' })
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    message: 'clientId must be a slug: lower-case letters, digits and inner hyphens, up to 64 characters',
  })
  clientId!: string;

  @ApiProperty({ example: 'Orders database', description: 'Unique per client among non-archived profiles' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: CONNECTOR_KINDS, example: 'postgres' })
  @IsIn(CONNECTOR_KINDS)
  kind!: ConnectorKind;

  @ApiProperty({
    description:
      'Connection settings, shape by kind. postgres/mysql: host, port, database, username, sslMode?; ' +
      'rest_api: baseUrl (https), headers? (no credentials), timeoutMs?; kafka: brokers (host:port), topicPrefix?; ' +
      's3: bucket, region, prefix?, endpoint?; sftp: host, port, username, path?. Unknown fields: 400.',
    example: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader', sslMode: 'require' },
  })
  @IsJsonObject()
  config!: Record<string, unknown>;

  @ApiPropertyOptional({ example: ['finance', 'eu'], description: `Up to ${MAX_CONNECTOR_TAGS} unique slugs` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CONNECTOR_TAGS)
  @ArrayUnique()
  @Matches(CONNECTOR_TAG, { each: true, message: 'each tag must be a slug of 1 to 50 characters' })
  tags?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Credentials, stored only encrypted and never returned. postgres/mysql: password; rest_api: token; ' +
      'kafka: saslUsername, saslPassword; s3: accessKeyId, secretAccessKey; sftp: password, privateKey, passphrase.',
    example: { password: 'change-me' },
  })
  @IsOptional()
  @IsStringMap()
  secrets?: Record<string, string>;
}
