import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const MAX_FEED_PAGE = 1000;

export class ReadEventFeedRequest {
  @ApiPropertyOptional({ description: 'Position of the last event already read; 0 (default) from the start' })
  @IsOptional()
  @Matches(/^(0|[1-9][0-9]{0,18})$/, { message: 'after must be an event position (a non-negative integer)' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_FEED_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_FEED_PAGE)
  limit?: number;
}
