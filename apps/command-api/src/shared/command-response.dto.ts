import { ApiProperty } from '@nestjs/swagger';

/** What every accepted command answers (contract): the stream, its new version, the global position. */
export class CommandResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'Stream version after the command; send it back in If-Match',
  })
  version!: number;

  @ApiProperty({
    pattern: '^[0-9]+$',
    description: 'Global position of the last event (digits); send it as X-Min-Position to query-api',
  })
  position!: string;
}
