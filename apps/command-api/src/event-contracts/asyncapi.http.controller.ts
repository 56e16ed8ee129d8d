import { buildAsyncApiDocument, STREAM_CONTRACTS } from '@analytics/contracts';
import { TopicNames } from '@analytics/messaging';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

/** The AsyncAPI document of the topics this app publishes, with the JSON Schema of every event. */
@ApiTags('events')
@Controller()
export class AsyncApiController {
  private readonly document: object;

  constructor(topics: TopicNames) {
    this.document = buildAsyncApiDocument(STREAM_CONTRACTS, {
      topicOf: (streamType) => topics.eventsOf(streamType),
      version: '1',
    });
  }

  @Get('asyncapi.json')
  @ApiOperation({ summary: 'AsyncAPI 3.0 document of the event topics (JSON Schema per event type and version)' })
  @ApiOkResponse({
    description: 'The AsyncAPI document',
    schema: { type: 'object', required: ['asyncapi', 'channels'], additionalProperties: true },
  })
  asyncApi(): object {
    return this.document;
  }
}
