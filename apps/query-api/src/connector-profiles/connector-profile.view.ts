import { ApiProperty } from '@nestjs/swagger';
import { CONNECTOR_KINDS } from '@analytics/contracts';
import { JSON_OBJECT, PageDocument } from '../shared/api-documents';

/** A connector profile as queries show it: the names of its secrets, never their values. */
export class ConnectorProfileView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  clientId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: CONNECTOR_KINDS })
  kind!: string;

  @ApiProperty({ enum: ['active', 'disabled', 'archived'] })
  status!: string;

  @ApiProperty(JSON_OBJECT)
  config!: Record<string, unknown>;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: [String], description: 'Which secrets are set (their values are never shown)' })
  secretNames!: string[];

  @ApiProperty({ format: 'date-time' })
  registeredAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;
}

export const ConnectorProfilesPage = PageDocument(ConnectorProfileView, 'ConnectorProfilesPage');
