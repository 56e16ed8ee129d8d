import { ReadThroughCache, redisConfig } from '@analytics/cache';
import { buildDataSourceOptions, databaseConfig } from '@analytics/persistence';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { projectionsConfig } from '../projections.config';
import { queryApiSchema } from '../../query-api.schema';
import { QueryCache } from '../../shared/query-cache';
import { EventFeedClient } from './event-feed.client';
import {
  ProjectionRebuilder,
  RebuildInProgressError,
  REBUILD_NAMES,
  UnknownProjectionSetError,
} from './projection-rebuilder';
import { ProgressPrinter } from './rebuild-progress';
import { rebuildConfig } from './rebuild.config';

/** Exit codes of `projections:rebuild`. */
export const EXIT = { ok: 0, failed: 1, alreadyRunning: 2, usage: 64 } as const;

const USAGE = `usage: main.js projections:rebuild <${REBUILD_NAMES.join('|')}> [--keep-previous] [--page-size N]
  Replays command-api's event feed (COMMAND_API_URL) into a new schema while the live read model
  keeps serving, then switches to it atomically. Exit codes: 0 done, 1 failed (the live read model
  is untouched), 2 another rebuild is running, 64 usage.`;

/**
 * `main.js projections:rebuild <name>` (npm run query-api -- projections:rebuild <name>): runs a
 * rebuild in this process with a progress bar (or plain lines when stdout is not a terminal).
 * Returns the exit code.
 */
export async function runRebuildCli(args: string[]): Promise<number> {
  const names = args.filter((arg) => !arg.startsWith('--'));
  const flags = new Set(args.filter((arg) => arg.startsWith('--')));
  if (names.length === 0 || flags.has('--help') || flags.has('-h')) {
    console.error(USAGE);
    return names.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const config = rebuildConfig();
  let pageSize = config.pageSize;
  const sizeIndex = args.indexOf('--page-size');
  if (sizeIndex >= 0) {
    pageSize = Number(args[sizeIndex + 1]);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      console.error(`--page-size must be an integer from 1 to 1000\n${USAGE}`);
      return EXIT.usage;
    }
    flags.delete('--page-size');
    names.splice(names.indexOf(args[sizeIndex + 1]), 1);
  }
  for (const flag of flags) {
    if (flag !== '--keep-previous') {
      console.error(`unknown option ${flag}\n${USAGE}`);
      return EXIT.usage;
    }
  }
  if (names.length !== 1) {
    console.error(USAGE);
    return EXIT.usage;
  }
  const { readUrl } = databaseConfig();
  const projections = projectionsConfig();
  // query-api's own connection settings (a new read model fills from empty: see queryApiSchema).
  const db = new DataSource(
    buildDataSourceOptions(queryApiSchema, {
      url: readUrl,
      poolMax: config.lanes + 3,
      applicationName: 'query-api projections:rebuild',
    }),
  );
  const redisSettings = redisConfig();
  const redis = new Redis(redisSettings.url, {
    connectionName: 'query-api-rebuild',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  const printer = new ProgressPrinter(process.stdout);
  const log = (message: string) => {
    printer.done();
    console.log(`rebuild: ${message}`);
  };
  const interrupted = () => {
    printer.done();
    console.error('rebuild: interrupted; the live read model is untouched (the next rebuild drops read_model_next)');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    await db.initialize();
    const rebuilder = new ProjectionRebuilder(
      db,
      new EventFeedClient(config.commandApiUrl),
      {
        pageSize,
        lanes: config.lanes,
        maxPauseMs: config.maxPauseMs,
        keepPrevious: config.keepPrevious || flags.has('--keep-previous'),
        maxAttempts: projections.maxAttempts,
        maxEventBytes: projections.maxEventBytes,
      },
      {
        progress: (progress) => printer.update(progress),
        log,
        invalidateCache: async () => {
          if (redis.status === 'wait') await redis.connect();
          // The serving app's cache (same key prefix, same read-database scope), asked to drop everything.
          const cache = new ReadThroughCache(redis, {
            name: 'queries',
            keyPrefix: 'cache:query-api:',
            ttlSeconds: redisSettings.ttlSeconds,
            redisTimeoutMs: 5_000,
          });
          try {
            return await new QueryCache(cache, db).invalidateEverything();
          } finally {
            cache.close();
          }
        },
      },
    );
    const running = await rebuilder.start(names[0]);
    console.log(`rebuild: ${running.set} from ${config.commandApiUrl} (pid ${process.pid})`);
    const result = await running.done;
    printer.done();
    console.log(
      `rebuild: ${result.set} done: ${result.events} events replayed in ${result.seconds.toFixed(2)} s = ` +
        `${Math.round(result.rate)} events/s; live projections paused ${result.pauseMs} ms at the switch ` +
        `(attempt ${result.switchAttempts}); checksum ${result.checksum}` +
        (result.previousSchema ? `; previous schema kept as ${result.previousSchema}` : '') +
        (result.cacheInvalidated === undefined
          ? ''
          : result.cacheInvalidated
            ? '; query cache invalidated'
            : '; query cache NOT invalidated (Redis failed)'),
    );
    return EXIT.ok;
  } catch (error) {
    printer.done();
    if (error instanceof RebuildInProgressError) {
      console.error(`rebuild: ${error.message}; not starting another one`);
      return EXIT.alreadyRunning;
    }
    if (error instanceof UnknownProjectionSetError) {
      console.error(`rebuild: ${error.message}`);
      return EXIT.usage;
    }
    console.error(`rebuild failed; the live read model is untouched: ${(error as Error).stack ?? String(error)}`);
    return EXIT.failed;
  } finally {
    redis.disconnect();
    if (db.isInitialized) await db.destroy().catch(() => undefined);
  }
}
