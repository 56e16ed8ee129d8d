/**
 * A data-modifying SQL statement whose parameters are numbered where it is placed: `param(value)`
 * adds a value to the enclosing statement's parameter list and answers its placeholder (`$7`).
 * Several writes can so be combined into one statement (one round trip, one atomic unit) without
 * each having to know where its parameters land.
 */
export type SqlWrite = (param: (value: unknown) => string) => string;

/** A parameter list that hands out placeholders in order. */
export class SqlParameters {
  readonly values: unknown[] = [];

  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }

  readonly add = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

/** One write on its own: its text and parameters. */
export function renderSqlWrite(write: SqlWrite): { sql: string; parameters: unknown[] } {
  const parameters = new SqlParameters();
  const sql = write(parameters.add);
  return { sql, parameters: parameters.values };
}
