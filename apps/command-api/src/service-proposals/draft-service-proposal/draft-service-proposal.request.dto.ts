import { MAX_LINE_ITEMS } from '@analytics/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME, DATE_TIME_MESSAGE, LineItemRequest } from '../line-item.request.dto';

/** A new proposal. The currency is the client's and the total is computed: neither is accepted here. */
export class DraftServiceProposalRequest {
  @ApiProperty({ example: 'acme-corp', description: "The client's slug (clientId of its configuration)" })
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    message: 'clientId must be a slug: lower-case letters, digits and inner hyphens, up to 64 characters',
  })
  clientId!: string;

  @ApiProperty({ example: 'Data platform audit' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ type: [LineItemRequest], minItems: 1, maxItems: MAX_LINE_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINE_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => LineItemRequest)
  lineItems!: LineItemRequest[];

  @ApiProperty({ example: '2030-01-31T17:00:00Z', format: 'date-time', description: 'Must be in the future' })
  @IsISO8601({ strict: true }, { message: DATE_TIME_MESSAGE })
  @Matches(DATE_TIME, { message: DATE_TIME_MESSAGE })
  validUntil!: string;
}
