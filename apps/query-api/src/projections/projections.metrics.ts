import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { EngineObserver, Outcome } from './projection-engine';
import { ProjectedEvent } from './projected-event';

/** What operators watch on the projections: lag, apply rate, dead letters, position. */
@Injectable()
export class ProjectionsMetrics implements EngineObserver {
  readonly events: Counter<'stream_type' | 'outcome'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly checkpoint: Gauge<'topic' | 'partition'>;
  readonly position: Gauge;
  private highestPosition = 0n;

  constructor(registry: Registry, @InjectDataSource() db: DataSource) {
    this.events = new Counter({
      name: 'projection_events_total',
      help: 'Messages handled by the projections, by outcome (applied, drained, duplicate, stale, pending, dead-lettered, checkpointed)',
      labelNames: ['stream_type', 'outcome'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'projection_consumer_lag',
      help: 'Messages in the partition not yet applied (high watermark minus next offset), as of the last batch',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.checkpoint = new Gauge({
      name: 'projection_checkpoint_offset',
      help: 'Next offset to apply per partition (the checkpoint in the read database)',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.position = new Gauge({
      name: 'projection_position',
      help: 'Highest global event-store position applied by this instance (since start; 0 until the first event)',
      registers: [registry],
    });
    const deadLetters = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS open, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age
             FROM read_model.dead_letters WHERE status = 'open'`,
        )
      )[0] as { open: number; age: number };
    new Gauge({
      name: 'projection_dead_letters',
      help: 'Dead letters waiting for a retry or a skip',
      registers: [registry],
      async collect() {
        this.set((await deadLetters()).open);
      },
    });
    new Gauge({
      name: 'projection_dead_letter_oldest_age_seconds',
      help: 'Age of the oldest open dead letter (0: none)',
      registers: [registry],
      async collect() {
        this.set((await deadLetters()).age);
      },
    });
  }

  outcome(streamType: string, outcome: Outcome | 'drained'): void {
    this.events.inc({ stream_type: streamType, outcome });
  }

  applied(event: ProjectedEvent): void {
    const position = BigInt(event.position);
    if (position > this.highestPosition) {
      this.highestPosition = position;
      this.position.set(Number(position));
    }
  }
}
