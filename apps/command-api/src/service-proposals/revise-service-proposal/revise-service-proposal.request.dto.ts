import { MAX_LINE_ITEMS } from '@analytics/contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsString,
  Length,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { DATE_TIME, DATE_TIME_MESSAGE, LineItemRequest } from '../line-item.request.dto';

const present = (_: object, value: unknown) => value !== undefined;

/**
 * A revision of a draft: the members given replace the current ones (lineItems as a whole).
 * Members may be left out but not set to null.
 */
export class ReviseServiceProposalRequest {
  @ApiPropertyOptional({ example: 'Data platform audit, phase 1' })
  @ValidateIf(present)
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({ type: [LineItemRequest], minItems: 1, maxItems: MAX_LINE_ITEMS })
  @ValidateIf(present)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINE_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => LineItemRequest)
  lineItems?: LineItemRequest[];

  @ApiPropertyOptional({ example: '2030-02-28T17:00:00Z', format: 'date-time', description: 'Must be in the future' })
  @ValidateIf(present)
  @IsISO8601({ strict: true }, { message: DATE_TIME_MESSAGE })
  @Matches(DATE_TIME, { message: DATE_TIME_MESSAGE })
  validUntil?: string;
}
