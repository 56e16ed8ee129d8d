import { EventEnvelope } from '@analytics/contracts';
import { readEventFeed, toEnvelope, UnknownPositionError } from '@analytics/event-store';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../shared/domain-errors';
import { ReadEventFeed } from './read-event-feed.query';

export interface EventFeedPage {
  events: EventEnvelope[];
  /** Pass as `after` to read on; the same `after` when nothing new was committed. */
  next: string;
  /**
   * The highest committed position in the store when the page was read ('0' when empty): how far
   * there is to go (a replay's progress and ETA). Positions have gaps (rolled-back appends).
   */
  head: string;
}

/** The whole store's events in commit-safe order, as published: the read side replays from it. */
@QueryHandler(ReadEventFeed)
export class ReadEventFeedHandler implements IQueryHandler<ReadEventFeed, EventFeedPage> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ after, limit }: ReadEventFeed): Promise<EventFeedPage> {
    try {
      const events = (await readEventFeed(this.db, { after, limit })).map(toEnvelope);
      const [{ head }] = await this.db.query(`SELECT coalesce(max(position), 0)::text AS head FROM events`);
      return { events, next: events.at(-1)?.position ?? after, head };
    } catch (error) {
      if (error instanceof UnknownPositionError) throw new NotFoundError(error.message);
      throw error;
    }
  }
}
