import { Queryable } from '@analytics/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/** The schema the read side serves from (every statement of the engine and the store names it). */
export const LIVE_SCHEMA = 'read_model';

const LIVE_NAME = /(?<![A-Za-z0-9_$])read_model(?![A-Za-z0-9_$])/g;

/** `sql` with every mention of the `read_model` schema pointed at `schema` instead. */
export function rescope(sql: string, schema: string): string {
  return schema === LIVE_SCHEMA ? sql : sql.replace(LIVE_NAME, schema);
}

/**
 * The read database as the projection engine and the store see it, but with their statements
 * pointed at another schema (the one a rebuild fills): the same apply code, unchanged, writes
 * `read_model_next.*`. Every statement of the engine, the store and the migrations names its
 * tables schema-qualified (`read_model.x`, `"read_model"."x"`), which is what makes this safe;
 * the rebuild tests check the result equals the fold of the history.
 *
 * It offers the two members of DataSource the engine uses: `query` and `transaction`.
 */
export class SchemaScopedDatabase {
  constructor(
    private readonly db: DataSource,
    readonly schema: string,
  ) {}

  query(sql: string, parameters?: unknown[]): Promise<unknown> {
    return this.db.query(rescope(sql, this.schema), parameters);
  }

  transaction<T>(isolation: IsolationLevel, work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(isolation, (manager: EntityManager) => work(this.scoped(manager)));
  }

  /** A Queryable (transaction, query runner) whose statements go to this schema. */
  scoped(inner: Queryable): Queryable {
    return { query: (sql: string, parameters?: unknown[]) => inner.query(rescope(sql, this.schema), parameters) };
  }

  /** For the engine, which is typed against TypeORM's DataSource but uses only the members above. */
  asDataSource(): DataSource {
    return this as unknown as DataSource;
  }
}
