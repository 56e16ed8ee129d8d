import { Module } from '@nestjs/common';
import { GetStreamController } from './get-stream/get-stream.http.controller';
import { GetStreamHandler } from './get-stream/get-stream.handler';

/** Read access to the event store for audit. */
@Module({ controllers: [GetStreamController], providers: [GetStreamHandler] })
export class StreamsModule {}
