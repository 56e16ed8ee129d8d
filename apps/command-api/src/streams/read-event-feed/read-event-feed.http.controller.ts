import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@analytics/http';
import { EventFeedPageDocument } from '../event-envelope.dto';
import { EventFeedPage } from './read-event-feed.handler';
import { ReadEventFeed } from './read-event-feed.query';
import { ReadEventFeedRequest } from './read-event-feed.request.dto';

@ApiTags('streams')
@Controller('events')
export class ReadEventFeedController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Every event, page by page, for replay (internal)',
    description:
      'Ordered so that no event is ever skipped, even one whose transaction commits after events with higher ' +
      'positions: an event appears once every transaction that could precede it has ended. Pages are not in ' +
      'position order. Resume with `after` = the `next` of the previous page. `head` is the highest committed ' +
      'position (how far a replay has to go).',
  })
  @ApiOkResponse({ type: EventFeedPageDocument })
  @ApiProblemResponses({ 400: 'Invalid `after` or `limit`', 404: '`after` is no position of this store' })
  read(@Query() { after = '0', limit = 100 }: ReadEventFeedRequest): Promise<EventFeedPage> {
    return this.queries.execute<ReadEventFeed, EventFeedPage>(new ReadEventFeed(after, limit));
  }
}
