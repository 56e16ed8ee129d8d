import { ApiProperty } from '@nestjs/swagger';

/** What every accepted command answers (contract): the stream, its new version, the global position. */
export class CommandResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'Stream version after the command; send it back in If-Match' })
  version!: number;

  @ApiProperty({ description: 'Global position of the last event; send it as X-Min-Position to query-api' })
  position!: string;
}
