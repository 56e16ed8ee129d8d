import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessIndicator } from '@analytics/observability';
import { ProjectionLagMonitor } from './projection-lag.monitor';

/**
 * The projections' progress, for `/health/ready`: `down` when the consumer is stalled (no
 * progress for PROJECTIONS_STALL_SECONDS while messages wait). Registered as DEGRADABLE: the
 * answer stays 200 and lists `projections` under `degraded` (see README, "Read side").
 */
@Injectable()
export class ProjectionsHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly monitor: ProjectionLagMonitor,
    private readonly health: HealthIndicatorService,
  ) {}

  async check() {
    const indicator = this.health.check('projections');
    const { stalled, lag, idleMs, error, measuredAt } = this.monitor.state;
    const details = {
      lagEvents: lag,
      lagSeconds: Math.round(this.monitor.lagSeconds() * 1_000) / 1_000,
      measuredAt: measuredAt === undefined ? null : new Date(measuredAt).toISOString(),
      ...(error ? { measurementError: error } : {}),
    };
    if (stalled) {
      return indicator.down({
        ...details,
        reason: `stalled: no progress for ${Math.round(idleMs / 1_000)} s while ${lag} message(s) wait`,
      });
    }
    return indicator.up(details);
  }
}
