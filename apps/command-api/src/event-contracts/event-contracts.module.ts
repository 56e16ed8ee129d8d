import { Module } from '@nestjs/common';
import { AsyncApiController } from './asyncapi.http.controller';

/** Publishes the event contracts (AsyncAPI + JSON Schemas) for downstream teams. */
@Module({ controllers: [AsyncApiController] })
export class EventContractsModule {}
