import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

class RebuildEnv {
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'COMMAND_API_URL must be an http(s):// URL' })
  COMMAND_API_URL = 'http://127.0.0.1:3001';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000)
  PROJECTIONS_REBUILD_PAGE_SIZE = 1_000;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(20_000)
  PROJECTIONS_REBUILD_MAX_PAUSE_MS = 5_000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  PROJECTIONS_REBUILD_CONCURRENCY = 4;

  @IsIn(['true', 'false'])
  PROJECTIONS_REBUILD_KEEP_PREVIOUS = 'false';
}

export interface RebuildConfig {
  /** Env `COMMAND_API_URL` (http://127.0.0.1:3001): where the event feed is read from. */
  commandApiUrl: string;
  /** Env `PROJECTIONS_REBUILD_PAGE_SIZE` (1000, the feed's maximum): events per feed page and per transaction. */
  pageSize: number;
  /** Env `PROJECTIONS_REBUILD_CONCURRENCY` (4): transactions applying a page in parallel (split by stream). */
  lanes: number;
  /** Env `PROJECTIONS_REBUILD_MAX_PAUSE_MS` (5000): longest pause of the live projections at the switch. */
  maxPauseMs: number;
  /** Env `PROJECTIONS_REBUILD_KEEP_PREVIOUS` (false): keep the replaced schema as `read_model_prev_<ts>`. */
  keepPrevious: boolean;
}

/** Config namespace `rebuild`. */
export const rebuildConfig = defineConfig('rebuild', RebuildEnv, (env): RebuildConfig => ({
  commandApiUrl: env.COMMAND_API_URL,
  pageSize: env.PROJECTIONS_REBUILD_PAGE_SIZE,
  maxPauseMs: env.PROJECTIONS_REBUILD_MAX_PAUSE_MS,
  lanes: env.PROJECTIONS_REBUILD_CONCURRENCY,
  keepPrevious: env.PROJECTIONS_REBUILD_KEEP_PREVIOUS === 'true',
}));
