import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Queryable, TransactionalDatabase } from './queryable';

/**
 * Runs every query as a prepared statement named after its text, on a pg pool: Postgres parses
 * and plans each distinct statement once per connection instead of on every call (for the
 * command path's append, planning cost as much as executing). Statements must take their values
 * as parameters, never inlined, or each text would be prepared anew. Answers rows, as a SELECT.
 *
 * On a pool whose connections pipeline (`pipeline: true`, as buildDataSourceOptions sets it), the
 * statements a transaction issues without awaiting each other (`Promise.all`) share one round
 * trip; Postgres runs them in the order issued, each with its own snapshot, so a read issued
 * after a lock still sees what the lock's previous holder committed.
 */
export class PreparedStatements implements TransactionalDatabase {
  private readonly names = new Map<string, string>();

  constructor(private readonly pool: Pool) {}

  /** On the pool of a TypeORM data source, so that both share the same connections. */
  static of(dataSource: DataSource): PreparedStatements {
    // TypeORM's Postgres driver keeps its pg Pool as `master` (typed any).
    return new PreparedStatements((dataSource.driver as unknown as { master: Pool }).master);
  }

  async query(sql: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.pool.query({ name: this.nameOf(sql), text: sql, values: parameters })).rows;
  }

  /**
   * `work` in one READ COMMITTED transaction on one connection; rolled back if it throws. (Its
   * users rely on each statement seeing what committed before it, after the row locks it waited on.)
   *
   * Statements `work` issued but did not wait for are awaited with the COMMIT: a failure among them
   * (or any failed statement that left the transaction aborted) rejects, and nothing commits. On a pipelining connection BEGIN leaves with the first statements and
   * COMMIT with the last ones a `work` leaves unawaited, saving two round trips; every answer waits
   * for BEGIN's, so nothing issued after an answer runs outside the transaction.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of pg-pool's: without one, a connection lost mid
    // transaction (backend killed, database restarting) is an unhandled 'error' that ends the
    // process (the fault soak's kill of a backend found it). The failing query rejects anyway.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    const unanswered = new Set<Promise<unknown>>();
    try {
      const begun = client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      if (!client.pipeline) await begun;
      const result = await work(this.on(client, begun, unanswered));
      if (!client.pipeline) await Promise.all(unanswered);
      const [committed] = await Promise.all([client.query('COMMIT'), ...unanswered]);
      // A statement that failed unawaited aborted the transaction, and Postgres answers its
      // COMMIT with a rollback, not an error.
      if (committed.command !== 'COMMIT') throw new Error(`The transaction was rolled back (${committed.command})`);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      // A connection that was lost or could not even roll back is closed rather than reused.
      client.release(broken);
    }
  }

  /** A transaction's statements on `client` (see `transaction`). */
  private on(client: PoolClient, begun: Promise<unknown>, unanswered: Set<Promise<unknown>>): Queryable {
    const socket = client.connection.stream;
    let corked = false;
    return {
      query: (sql: string, parameters: unknown[] = []) => {
        // Statements issued together also leave together: one write to the socket for all of them
        // (pg writes each statement's messages on its own), which the server then reads at once.
        if (client.pipeline && !corked) {
          corked = true;
          socket.cork();
          process.nextTick(() => {
            corked = false;
            socket.uncork();
          });
        }
        const answer = client.query({ name: this.nameOf(sql), text: sql, values: parameters });
        const rows = Promise.all([begun, answer]).then(([, result]) => result.rows);
        unanswered.add(rows);
        // Handled here too, so that a statement the work does not await is no unhandled rejection
        // meanwhile (a failure the work did not see still fails the commit: see transaction).
        const answered = () => void unanswered.delete(rows);
        rows.then(answered, answered);
        return rows;
      },
    };
  }

  private nameOf(sql: string): string {
    let name = this.names.get(sql);
    if (!name) {
      name = `q_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.names.set(sql, name);
    }
    return name;
  }
}
