import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsInt, Max, Min } from 'class-validator';

class QueryApiEnv {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  QUERY_API_PORT = 3002;
}

export interface QueryApiConfig {
  /** Env `QUERY_API_PORT`, default 3002. */
  port: number;
}

/** Config namespace `queryApi`. */
export const queryApiConfig = defineConfig('queryApi', QueryApiEnv, (env): QueryApiConfig => ({
  port: env.QUERY_API_PORT,
}));
