import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { describeFailure, ReadinessIndicator, withTimeout } from '@analytics/observability';
import { DataSource } from 'typeorm';
import { detectTimeSeriesMode } from './time-series';

/** Ready when Postgres answers within 2 s; also reports the time-series storage mode. */
@Injectable()
export class DatabaseHealthIndicator implements ReadinessIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async check() {
    const indicator = this.health.check('postgres');
    try {
      const timeSeriesMode = await withTimeout(detectTimeSeriesMode(this.dataSource), 2_000, 'Postgres');
      return indicator.up({ timeSeriesMode });
    } catch (error) {
      return indicator.down({ message: describeFailure(error) });
    }
  }
}
