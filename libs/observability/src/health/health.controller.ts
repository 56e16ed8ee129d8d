import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemType } from '@analytics/contracts';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ReadinessIndicator } from './readiness-indicator';

export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');
export const DEGRADABLE_INDICATORS = Symbol('DEGRADABLE_INDICATORS');

/** libs/http's ProblemDocument, inline (libs/http depends on this library, not the reverse). */
const NOT_READY_PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_INDICATORS) private readonly indicators: ReadinessIndicator[],
    @Inject(DEGRADABLE_INDICATORS) private readonly degradable: ReadinessIndicator[],
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up (checks nothing else)' })
  live() {
    return this.health.check([]);
  }

  @ApiResponse({
    status: 503,
    description: 'A required dependency is down: a problem document keeping the report (`error`, `details`)',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: NOT_READY_PROBLEM } },
  })
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: "The app's own dependencies answer; 503 when one does not" })
  async ready() {
    const [optional, required] = await Promise.all([
      Promise.all(this.degradable.map((indicator) => indicator.check())),
      this.health.check(this.indicators.map((indicator) => () => indicator.check())).catch((error: unknown) => {
        throw asNotReadyProblem(error);
      }),
    ]);
    const degraded = Object.fromEntries(
      optional.flatMap((result) => Object.entries(result)).filter(([, state]) => state.status === 'down'),
    );
    const details = Object.assign({}, required.details, ...optional);
    return Object.keys(degraded).length > 0 ? { ...required, details, degraded } : { ...required, details };
  }
}

/**
 * A failed readiness check leaves as a problem document (the error format of the whole API),
 * keeping Terminus's `info`, `error` and `details` as extension members for operators.
 */
function asNotReadyProblem(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const report = error.getResponse() as HealthCheckResult;
  const down = Object.keys(report.error ?? {});
  return new ServiceUnavailableException({
    type: problemType('not-ready'),
    title: 'Service Unavailable',
    detail: `Not ready: ${down.join(', ') || 'a dependency'} down`,
    info: report.info,
    error: report.error,
    details: report.details,
  });
}
