import { runPendingMigrations } from '@analytics/persistence';
import { createScratchDatabase } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryApiSchema } from '../query-api.schema';
import { AppliedPositionWaiter } from './applied-position.waiter';

describe('AppliedPositionWaiter (real Postgres ledger)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let queries = 0;
  let waiter: AppliedPositionWaiter;

  const apply = (position: number) =>
    db.query(
      `INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version)
       VALUES ($1, $2, 'client-config', $3, 1)`,
      [randomUUID(), position, randomUUID()],
    );

  beforeAll(async () => {
    scratch = await createScratchDatabase('rw_waiter');
    await runPendingMigrations(queryApiSchema, scratch.url);
    db = await new DataSource({ type: 'postgres', url: scratch.url, extra: { max: 3 } }).initialize();
    const counting = {
      query: (sql: string, params?: unknown[]) => {
        queries++;
        return db.query(sql, params);
      },
    };
    waiter = new AppliedPositionWaiter(counting, { pollMs: 20, maxWaiters: 1_000 });
  });

  afterAll(async () => {
    waiter?.close();
    await db?.destroy();
    await scratch?.drop();
  });

  it('answers at once for an applied position', async () => {
    await apply(100);
    const started = performance.now();
    expect(await waiter.waitFor('100', 2_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('waits until the position is in the ledger; 500 waiters share one query per poll', async () => {
    queries = 0;
    const waits = Array.from({ length: 500 }, (_, i) => waiter.waitFor(String(200 + (i % 5)), 5_000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let p = 200; p < 205; p++) await apply(p);
    const started = performance.now();
    expect(await Promise.all(waits)).toEqual(Array(500).fill(true));
    expect(performance.now() - started).toBeLessThan(500);
    // ~200 ms of polling every 20 ms plus the wake-ups: nowhere near one query per waiter.
    expect(queries).toBeLessThan(40);
    expect(waiter.pending).toBe(0);
  });

  it('answers the waiters of positions a local commit applied without asking the ledger', async () => {
    let checks = 0;
    const slow = new AppliedPositionWaiter(
      { query: (sql, params) => (checks++, db.query(sql, params)) },
      { pollMs: 60_000, maxWaiters: 10 },
    );
    try {
      const waiting = slow.waitFor('900', 5_000);
      const other = slow.waitFor('901', 5_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = checks; // the first checks; the next poll is a minute away
      const started = performance.now();
      slow.applied(['900']); // 900 is not in this ledger: only the commit's word answers it
      expect(await waiting).toBe(true);
      expect(performance.now() - started).toBeLessThan(50);
      expect(slow.pending).toBe(1); // 901 waits on, checked again at once
      expect(checks).toBe(before + 1);
      await apply(901);
      slow.wake();
      expect(await other).toBe(true);
    } finally {
      slow.close();
    }
  });

  it('answers false after the timeout for a position never applied, and forgets the waiter', async () => {
    const started = performance.now();
    expect(await waiter.waitFor('9000000000000000000', 150)).toBe(false);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(400);
    expect(waiter.pending).toBe(0);
  });

  it('a zero wait is one check', async () => {
    expect(await waiter.waitFor('100', 0)).toBe(true);
    expect(await waiter.waitFor('12345', 0)).toBe(false);
  });

  it('does not queue beyond maxWaiters: the extra requests are answered "not applied" at once', async () => {
    const small = new AppliedPositionWaiter(db, { pollMs: 20, maxWaiters: 2 });
    const waits = [small.waitFor('777', 300), small.waitFor('777', 300)];
    expect(await small.waitFor('100', 300)).toBe(false);
    expect(await Promise.all(waits)).toEqual([false, false]);
    small.close();
  });
});
