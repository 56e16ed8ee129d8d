import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** What operators watch on the outbox: backlog, age of the oldest waiting event, publish rate. */
@Injectable()
export class OutboxMetrics {
  readonly published: Counter;
  readonly publishFailures: Counter;
  readonly leader: Gauge;

  constructor(registry: Registry, @InjectDataSource() db: DataSource) {
    this.published = new Counter({
      name: 'outbox_published_events_total',
      help: 'Events published to Kafka by this relay',
      registers: [registry],
    });
    this.publishFailures = new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Relay rounds that failed (broker or database unavailable); the round is retried',
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'outbox_relay_leader',
      help: '1 when this instance is the active relay',
      registers: [registry],
    });
    // Read at scrape time from the table itself, so every instance (leader or not) reports it.
    const backlog = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::float AS age,
                  count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked
             FROM outbox WHERE published_at IS NULL`,
        )
      )[0] as { pending: number; age: number; parked: number };
    new Gauge({
      name: 'outbox_parked_events',
      help: 'Events Kafka refused for good (too large), waiting for an operator; alert when > 0',
      registers: [registry],
      async collect() {
        this.set((await backlog()).parked);
      },
    });
    new Gauge({
      name: 'outbox_backlog_events',
      help: 'Committed events not yet published',
      registers: [registry],
      async collect() {
        this.set((await backlog()).pending);
      },
    });
    new Gauge({
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest committed event not yet published',
      registers: [registry],
      async collect() {
        this.set((await backlog()).age);
      },
    });
  }
}
