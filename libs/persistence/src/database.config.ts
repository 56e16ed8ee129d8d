import { Type } from 'class-transformer';
import { defineConfig } from '@analytics/config';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

class DatabaseEnv {
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/analytics';

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'READ_DATABASE_URL must be a postgresql:// URL' })
  READ_DATABASE_URL?: string = undefined;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_MAX = 10;

  @IsOptional()
  @IsString()
  DATABASE_APPLICATION_NAME?: string = undefined;
}

export interface DatabaseConfig {
  /** Write database (event store, write model, outbox). Env `DATABASE_URL`. */
  writeUrl: string;
  /** Read database (projections). Env `READ_DATABASE_URL`, defaults to `DATABASE_URL`. */
  readUrl: string;
  /** Connections per pool. Env `DATABASE_POOL_MAX`, default 10. */
  poolMax: number;
}

/** Config namespace `database`. */
export const databaseConfig = defineConfig('database', DatabaseEnv, (env): DatabaseConfig => ({
  writeUrl: env.DATABASE_URL,
  readUrl: env.READ_DATABASE_URL ?? env.DATABASE_URL,
  poolMax: env.DATABASE_POOL_MAX,
}));
