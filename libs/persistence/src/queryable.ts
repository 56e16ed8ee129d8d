/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner, or a pg client wrapper. */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Quotes a Postgres identifier after checking it is a plain lower-case name.
 * Names are checked even when they come from our own code: the same helpers serve the dynamic
 * layer, where names come from users.
 */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** A Queryable that also runs work in one transaction on one connection (rolled back if it throws). */
export interface TransactionalDatabase extends Queryable {
  /**
   * Statements `work` issued but did not await are awaited with the commit: if one failed, the
   * transaction rolls back and this rejects (so a last statement may go out with the COMMIT).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}
