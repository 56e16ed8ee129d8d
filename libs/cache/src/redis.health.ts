import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { describeFailure, ReadinessIndicator, withTimeout } from '@analytics/observability';
import Redis from 'ioredis';

/** Ready when Redis answers PING within 1 s. */
@Injectable()
export class RedisHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly redis: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async check() {
    const indicator = this.health.check('redis');
    try {
      await withTimeout(this.redis.ping(), 1_000, 'Redis');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: describeFailure(error) });
    }
  }
}
