import { eventStoreTestDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { UnprocessableError } from '../shared/domain-errors';
import { runOnce } from './idempotency';

/** Idempotency records on a real Postgres database (the write side's migrations). */
describe('runOnce', () => {
  let db: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await eventStoreTestDatabase('idempotency'));
  });
  afterAll(() => close?.());

  let runs = 0;
  /** `request` stands for a request fingerprint (64 hex digits, as the app stores them). */
  const command = (key: string, request: string, ttlSeconds = 60) =>
    db.transaction((tx) =>
      runOnce(tx, { key, requestHash: request.repeat(64), ttlSeconds }, 201, async () => ({ run: ++runs, request })),
    );

  it('runs once per key, answers repeats with the first result and refuses another request', async () => {
    const first = await command('key-1', 'a');
    expect(first).toEqual({ result: { run: runs, request: 'a' }, replayed: false });
    expect(await command('key-1', 'a')).toEqual({ result: first.result, replayed: true });
    await expect(command('key-1', 'b')).rejects.toThrow(UnprocessableError);
    expect(runs).toBe(first.result.run);
  });

  it('forgets a record once it has expired: the key can be used again, for any request', async () => {
    const first = await command('key-2', 'a', 1);
    const [{ ttl }] = await db.query(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM idempotency_records WHERE key = 'key-2'`,
    );
    expect(ttl).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const again = await command('key-2', 'b', 60);
    expect(again.replayed).toBe(false);
    expect(again.result.run).toBe(first.result.run + 1);
    expect(await command('key-2', 'b')).toEqual({ result: again.result, replayed: true });
  });

  it('lets nothing through twice when 20 requests with one key race', async () => {
    const before = runs;
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => command('key-3', 'a')));
    expect(runs - before).toBe(1);
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
  });
});
