import { MAX_CONNECTOR_TAGS } from '@analytics/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { IsJsonObject } from '../../shared/json-object.validator';
import { CONNECTOR_TAG, IsStringMap } from '../connector-profile.validators';

const present = (_: object, value: unknown) => value !== undefined;

/**
 * Any of the fields; the others stay as they are. The kind cannot change. Members may be left out
 * but not set to null.
 */
export class UpdateConnectorProfileRequest {
  @ApiPropertyOptional({ example: 'Orders database (replica)' })
  @ValidateIf(present)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    description: "Replaces the whole config; validated against the profile's kind (unknown fields: 400)",
    example: { host: 'replica.internal', port: 5432, database: 'orders', username: 'reader' },
  })
  @ValidateIf(present)
  @IsJsonObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: ['finance'],
    description: `Replaces the tags: up to ${MAX_CONNECTOR_TAGS} unique slugs`,
  })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_CONNECTOR_TAGS)
  @ArrayUnique()
  @Matches(CONNECTOR_TAG, { each: true, message: 'each tag must be a slug of 1 to 50 characters' })
  tags?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Replaces all the secrets (stored only encrypted, never returned); {} removes them',
    example: { password: 'rotated' },
  })
  @ValidateIf(present)
  @IsStringMap()
  secrets?: Record<string, string>;
}
