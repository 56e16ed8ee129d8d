import { Module } from '@nestjs/common';
import { GetStreamController } from './get-stream/get-stream.http.controller';
import { GetStreamHandler } from './get-stream/get-stream.handler';
import { ReadEventFeedController } from './read-event-feed/read-event-feed.http.controller';
import { ReadEventFeedHandler } from './read-event-feed/read-event-feed.handler';

/** Read access to the event store: one stream (audit), or all of it page by page (replay). */
@Module({
  controllers: [GetStreamController, ReadEventFeedController],
  providers: [GetStreamHandler, ReadEventFeedHandler],
})
export class StreamsModule {}
