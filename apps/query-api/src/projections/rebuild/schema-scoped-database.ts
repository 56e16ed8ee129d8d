import { Queryable, TransactionalDatabase } from '@analytics/persistence';

/** The schema the read side serves from (every statement of the engine and the store names it). */
export const LIVE_SCHEMA = 'read_model';

const LIVE_NAME = /(?<![A-Za-z0-9_$])read_model(?![A-Za-z0-9_$])/g;

/** `sql` with every mention of the `read_model` schema pointed at `schema` instead. */
export function rescope(sql: string, schema: string): string {
  return schema === LIVE_SCHEMA ? sql : sql.replace(LIVE_NAME, schema);
}

/** `inner` with every statement pointed at `schema` instead of `read_model`. */
export function scopedTo(inner: Queryable, schema: string): Queryable {
  return { query: (sql: string, parameters?: unknown[]) => inner.query(rescope(sql, schema), parameters) };
}

/**
 * The read database as the projection engine and the store see it, but with their statements
 * pointed at another schema (the one a rebuild fills): the same apply code, unchanged, writes
 * `read_model_next.*`. Every statement of the engine, the store and the migrations names its
 * tables schema-qualified (`read_model.x`, `"read_model"."x"`), which is what makes this safe;
 * the rebuild tests check the result equals the fold of the history.
 */
export class SchemaScopedDatabase implements TransactionalDatabase {
  constructor(
    private readonly db: TransactionalDatabase,
    readonly schema: string,
  ) {}

  query(sql: string, parameters?: unknown[]): Promise<unknown> {
    return this.db.query(rescope(sql, this.schema), parameters);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(scopedTo(tx, this.schema)));
  }
}
