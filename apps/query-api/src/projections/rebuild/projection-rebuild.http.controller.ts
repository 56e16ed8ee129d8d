import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  Param,
  Post,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@analytics/http';
import { RebuildStatusView } from './rebuild-status.view';
import { InjectDataSource } from '@nestjs/typeorm';
import { problemType } from '@analytics/contracts';
import { DataSource } from 'typeorm';
import { QueryCache } from '../../shared/query-cache';
import { projectionsConfig, ProjectionsConfig } from '../projections.config';
import { EventFeedClient } from './event-feed.client';
import {
  ProjectionRebuilder,
  RebuildInProgressError,
  RebuildResult,
  RunningRebuild,
  UnknownProjectionSetError,
} from './projection-rebuilder';
import { figuresOf, RebuildProgress } from './rebuild-progress';
import { rebuildConfig, RebuildConfig } from './rebuild.config';

/** What `GET /v1/admin/projections/rebuild` shows of this instance's latest rebuild. */
function statusOf(progress: RebuildProgress, result?: RebuildResult, error?: string) {
  const { fraction, rate, etaSeconds } = figuresOf(progress);
  return {
    set: progress.set,
    // The rebuilder ends its progress a moment before its result (or error) reaches us: report
    // an end only once what it ended with is known.
    phase:
      (progress.phase === 'done' || progress.phase === 'failed') && !result && !error ? 'cleaning-up' : progress.phase,
    events: progress.events,
    position: progress.position,
    head: progress.head ?? null,
    fraction: fraction ?? null,
    eventsPerSecond: Math.round(rate),
    etaSeconds: etaSeconds === undefined ? null : Math.round(etaSeconds),
    startedAt: new Date(progress.startedAt).toISOString(),
    result: result ?? null,
    error: error ?? null,
  };
}

/**
 * The rebuild as an admin endpoint (the same rebuild as the CLI; the lock is shared, so a CLI
 * rebuild and an HTTP one exclude each other across all instances).
 */
@ApiTags('admin')
@Controller('admin/projections')
export class ProjectionRebuildController implements OnApplicationShutdown {
  private readonly logger = new Logger('ProjectionRebuild');
  private latest?: { running: RunningRebuild; result?: RebuildResult; error?: string };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: QueryCache,
    @Inject(rebuildConfig.KEY) private readonly config: RebuildConfig,
    @Inject(projectionsConfig.KEY) private readonly projections: ProjectionsConfig,
  ) {}

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild a projection set (`read-models` or `all`) from the event feed, then switch to it',
    description:
      'Answers 202 once the rebuild holds the rebuild lock and runs in the background; 409 when a rebuild is ' +
      'already running anywhere (CLI or another instance); 404 for an unknown set. Progress: GET .../rebuild.',
  })
  @ApiResponse({ status: 202, description: 'Started', type: RebuildStatusView })
  @ApiProblemResponses({
    404: 'Unknown projection set',
    409: 'A rebuild is already running (here, elsewhere or the CLI)',
  })
  async rebuild(@Param('name') name: string) {
    const rebuilder = new ProjectionRebuilder(
      this.db,
      new EventFeedClient(this.config.commandApiUrl),
      {
        pageSize: this.config.pageSize,
        lanes: this.config.lanes,
        maxPauseMs: this.config.maxPauseMs,
        keepPrevious: this.config.keepPrevious,
        maxAttempts: this.projections.maxAttempts,
        maxEventBytes: this.projections.maxEventBytes,
      },
      {
        log: (message) => this.logger.log(message),
        invalidateCache: () => this.cache.invalidateEverything(),
      },
    );
    let running: RunningRebuild;
    try {
      running = await rebuilder.start(name);
    } catch (error) {
      if (error instanceof UnknownProjectionSetError) {
        throw new NotFoundException({ type: problemType('unknown-projection-set'), detail: error.message });
      }
      if (error instanceof RebuildInProgressError) {
        throw new ConflictException({ type: problemType('rebuild-in-progress'), detail: error.message });
      }
      throw error;
    }
    const latest: { running: RunningRebuild; result?: RebuildResult; error?: string } = { running };
    this.latest = latest;
    this.logger.log(`rebuild of ${running.set} started`);
    running.done.then(
      (result) => {
        latest.result = result;
        this.logger.log(`rebuild of ${result.set} done: ${result.events} events, ${Math.round(result.rate)} events/s`);
      },
      (error: Error) => {
        latest.error = error.message;
        this.logger.error(`rebuild of ${running.set} failed; the live read model is untouched: ${error.message}`);
      },
    );
    return statusOf(running.progress());
  }

  @Get('rebuild')
  @ApiOperation({ summary: "This instance's latest rebuild: phase, progress, rate, ETA, result" })
  @ApiOkResponse({ type: RebuildStatusView })
  @ApiProblemResponses({ 404: 'No rebuild was started on this instance' })
  status() {
    if (!this.latest) {
      throw new NotFoundException({ type: problemType('not-found'), detail: 'No rebuild was started here' });
    }
    return statusOf(this.latest.running.progress(), this.latest.result, this.latest.error);
  }

  async onApplicationShutdown(): Promise<void> {
    // A rebuild cut short leaves read_model untouched; its connection (and the lock) close with the pool.
    if (this.latest && !this.latest.result && !this.latest.error) {
      this.logger.warn('shutting down during a rebuild: it is abandoned (the live read model is untouched)');
    }
  }
}
