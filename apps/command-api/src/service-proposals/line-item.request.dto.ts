import { MAX_QUANTITY, MAX_UNIT_PRICE_MINOR, SKU_PATTERN } from '@analytics/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';

/** One line of a proposal as sent by a client; its amount is computed, never sent. */
export class LineItemRequest {
  @ApiProperty({ example: 'CONSULT-DAY', pattern: SKU_PATTERN, description: 'Letters, digits, ".", "_", "-"; 1–64' })
  @Matches(new RegExp(SKU_PATTERN), {
    message: 'sku must be 1 to 64 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  })
  sku!: string;

  @ApiProperty({ example: 'One day of on-site consulting' })
  @IsString()
  @Length(1, 500)
  description!: string;

  @ApiProperty({ example: 3, minimum: 1, maximum: MAX_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity!: number;

  @ApiProperty({
    example: 120000,
    minimum: 0,
    maximum: MAX_UNIT_PRICE_MINOR,
    description: "Minor units of the client's currency",
  })
  @IsInt()
  @Min(0)
  @Max(MAX_UNIT_PRICE_MINOR)
  unitPriceMinor!: number;
}

/** An ISO 8601 date-time with seconds optional, fraction optional and an explicit offset (Z or ±hh:mm). */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
export const DATE_TIME_MESSAGE = 'validUntil must be an ISO 8601 date-time with an offset, e.g. 2030-01-31T17:00:00Z';
