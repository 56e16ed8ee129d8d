import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { useSafeJsonParsing } from './pg-json';

/** What one side of the system (command-api or query-api) owns in its database. */
export interface SchemaOwner {
  /** Used as the Postgres `application_name` (unless settings name another) and in the migrations table name. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /**
   * Postgres settings for every connection of this side (sent as the connection's `options`),
   * where its tables need other planner settings than the server's defaults.
   */
  sessionSettings?: Record<string, string>;
}

export interface DataSourceSettings {
  url: string;
  poolMax?: number;
  /** Postgres `application_name` (default: the owner's name), e.g. for a CLI of that side. */
  applicationName?: string;
}

/**
 * The one place that turns settings into TypeORM options: the apps, the migration CLI and the
 * tests all go through it, so what runs in production is what the tests migrate.
 *
 * `synchronize` is always false: the schema changes only through migrations. Each owner keeps
 * its own migrations table (`migrations_<owner>`), so both sides can share one database.
 */
export function buildDataSourceOptions(owner: SchemaOwner, settings: DataSourceSettings): DataSourceOptions {
  useSafeJsonParsing();
  return {
    type: 'postgres',
    url: settings.url,
    applicationName: settings.applicationName ?? owner.name,
    entities: owner.entities,
    migrations: owner.migrations,
    migrationsTableName: `migrations_${owner.name.replace(/[^a-z0-9]+/gi, '_')}`,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Not 'error': TypeORM would log failed queries with their parameters (user data) verbatim.
    logging: ['warn'],
    extra: {
      max: settings.poolMax ?? 10,
      // Statements issued without waiting for each other's answers go out together (pg's pipeline
      // mode; Postgres still runs them one after the other, in order): a transaction that issues
      // its independent statements at once pays one round trip for them, not one each.
      pipeline: true,
      ...(owner.sessionSettings ? { options: sessionOptions(owner.sessionSettings) } : {}),
    },
  };
}

/** Creates (without initialising) a data source for one owner. */
export function createDataSource(owner: SchemaOwner, settings: DataSourceSettings): DataSource {
  return new DataSource(buildDataSourceOptions(owner, settings));
}

/** `-c name=value` pairs, as libpq's `options` takes them (a space or backslash is escaped). */
function sessionOptions(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value.replace(/[\\ ]/g, (c) => `\\${c}`)}`)
    .join(' ');
}
