import { ApiProperty } from '@nestjs/swagger';
import { JSON_OBJECT, PageDocument } from '../shared/api-documents';

const COUNTS = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } } as const;

export class ConnectorCountsView {
  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;

  @ApiProperty(COUNTS)
  byKind!: Record<string, number>;

  @ApiProperty(COUNTS)
  byStatus!: Record<string, number>;
}

export class ProposalCountsView {
  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;

  @ApiProperty(COUNTS)
  byStatus!: Record<string, number>;
}

/**
 * One client: its configuration (null fields until the configuration's events arrive, when its
 * connectors or proposals were projected first) and what it has.
 */
export class ClientOverviewView {
  @ApiProperty()
  clientId!: string;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  clientConfigId!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  displayName!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  timezone!: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  currency!: string | null;

  @ApiProperty({ type: 'string', enum: ['active', 'archived'], nullable: true })
  status!: string | null;

  @ApiProperty({ ...JSON_OBJECT, nullable: true })
  settings!: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' }, nullable: true })
  featureFlags!: Record<string, boolean> | null;

  @ApiProperty({ type: 'integer', minimum: 0 })
  configVersion!: number;

  @ApiProperty({ type: ConnectorCountsView })
  connectors!: ConnectorCountsView;

  @ApiProperty({ type: ProposalCountsView })
  proposals!: ProposalCountsView;

  @ApiProperty({ pattern: '^[0-9]+$', description: 'Sum of accepted proposals, minor units, exact' })
  acceptedTotalMinor!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  lastActivityAt!: string | null;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;
}

export const ClientOverviewsPage = PageDocument(ClientOverviewView, 'ClientOverviewsPage');
