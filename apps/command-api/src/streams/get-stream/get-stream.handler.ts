import { EventEnvelope } from '@analytics/contracts';
import { readStream, toEnvelope } from '@analytics/event-store';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../shared/domain-errors';
import { GetStream } from './get-stream.query';

export interface StreamHistory {
  streamType: string;
  streamId: string;
  version: number;
  events: EventEnvelope[];
}

/** A stream's events as published (for audit): the same envelopes downstream consumers receive. */
@QueryHandler(GetStream)
export class GetStreamHandler implements IQueryHandler<GetStream, StreamHistory> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ streamType, streamId }: GetStream): Promise<StreamHistory> {
    const events = await readStream(this.db, streamType, streamId);
    if (events.length === 0) throw new NotFoundError(`stream ${streamType}/${streamId} does not exist`);
    return { streamType, streamId, version: events.length, events: events.map(toEnvelope) };
  }
}
