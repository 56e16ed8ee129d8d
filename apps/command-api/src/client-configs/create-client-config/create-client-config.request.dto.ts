import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO4217CurrencyCode, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsBooleanMap, IsJsonObject } from '../../shared/json-object.validator';
import { IsTimeZoneRemembered } from './time-zone.validator';

export class CreateClientConfigRequest {
  @ApiProperty({ example: 'acme-corp', description: 'Slug, unique among clients' })
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    message: 'clientId must be a slug: lower-case letters, digits and inner hyphens, up to 64 characters',
  })
  clientId!: string;

  @ApiProperty({ example: 'Acme Corporation' })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({ example: 'Europe/Paris' })
  @IsTimeZoneRemembered()
  timezone!: string;

  @ApiProperty({ example: 'EUR' })
  @IsISO4217CurrencyCode()
  currency!: string;

  @ApiPropertyOptional({ description: 'Free-form JSON object, at most 64 KB and 8 levels deep' })
  @IsOptional()
  @IsJsonObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ example: { 'beta-dashboard': true } })
  @IsOptional()
  @IsBooleanMap()
  featureFlags?: Record<string, boolean>;
}
