import { ApiProperty } from '@nestjs/swagger';
import { PageDocument } from '../shared/api-documents';

export class ProposalLineView {
  @ApiProperty()
  sku!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  quantity!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Minor units' })
  unitPriceMinor!: number;

  @ApiProperty({ pattern: '^[0-9]+$', description: 'quantity x unitPriceMinor, exact, as digits' })
  amountMinor!: string;
}

export class ServiceProposalView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  clientId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ description: "The client's currency (ISO 4217)" })
  currency!: string;

  @ApiProperty({ enum: ['draft', 'submitted', 'accepted', 'rejected', 'withdrawn'] })
  status!: string;

  @ApiProperty({ type: [ProposalLineView] })
  lineItems!: ProposalLineView[];

  @ApiProperty({ pattern: '^[0-9]+$', description: 'Sum of the lines in minor units, exact, as digits' })
  totalMinor!: string;

  @ApiProperty({ format: 'date-time' })
  validUntil!: string;

  @ApiProperty({ type: 'string', nullable: true })
  rejectionReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  draftedAt!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  submittedAt!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Accepted, rejected or withdrawn' })
  decidedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ pattern: '^[0-9]+$' })
  position!: string;
}

export const ServiceProposalsPage = PageDocument(ServiceProposalView, 'ServiceProposalsPage');
