import { Injectable, Logger } from '@nestjs/common';
import { ProjectionChanges, QueryCache } from '../shared/query-cache';
import { AppliedPositionWaiter } from './applied-position.waiter';
import { ProjectionLagMonitor } from './projection-lag.monitor';

/**
 * What happens after a projection transaction COMMITS: the cache keys and list namespaces it
 * changed are invalidated (one Redis call; the cache retries a failed one in the background and
 * meanwhile does not serve those entries here), then the read-your-writes waiters of the
 * positions it applied are answered, and the others re-check the ledger at once. Never throws: the transaction has committed whatever happens here.
 */
@Injectable()
export class ProjectionCommits {
  private readonly logger = new Logger(ProjectionCommits.name);

  constructor(
    private readonly cache: QueryCache,
    private readonly waiter: AppliedPositionWaiter,
    private readonly monitor: ProjectionLagMonitor,
  ) {}

  readonly committed = async (changes: ProjectionChanges): Promise<void> => {
    try {
      await this.cache.invalidate(changes);
      if (changes.latestOccurredAt) this.monitor.applied(changes.latestOccurredAt);
      if (changes.positions.length > 0) this.waiter.applied(changes.positions);
    } catch (error) {
      this.logger.error(`After-commit handling failed: ${(error as Error).message}`);
    }
  };
}
