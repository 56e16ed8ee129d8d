import { STREAM_TYPES } from '@analytics/contracts';
import { Controller, Get, Param, ParseEnumPipe, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@analytics/http';
import { StreamHistoryDocument } from '../event-envelope.dto';
import { StreamHistory } from './get-stream.handler';
import { GetStream } from './get-stream.query';

@ApiTags('streams')
@Controller('streams')
export class GetStreamController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':type/:id')
  @ApiOperation({ summary: "A stream's events in version order, as published (audit)" })
  @ApiParam({ name: 'type', enum: STREAM_TYPES })
  @ApiOkResponse({ type: StreamHistoryDocument })
  @ApiProblemResponses({ 400: 'Unknown stream type or an id that is no UUID v4', 404: 'No such stream' })
  get(
    @Param('type', new ParseEnumPipe(Object.fromEntries(STREAM_TYPES.map((type) => [type, type])))) streamType: string,
    @Param('id', new ParseUUIDPipe({ version: '4' })) streamId: string,
  ): Promise<StreamHistory> {
    return this.queries.execute<GetStream, StreamHistory>(new GetStream(streamType, streamId));
  }
}
