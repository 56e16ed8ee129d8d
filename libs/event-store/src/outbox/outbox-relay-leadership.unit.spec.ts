import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox-relay';

/**
 * Found by the fault soak: after a Postgres crash recovery, the first connect of the leadership
 * session failed ("not yet accepting connections"). TypeORM's query runner caches that rejected
 * connect, so reusing the runner failed forever and the relay never published again.
 */
describe('OutboxRelay leadership session', () => {
  const runner = (connect: () => Promise<void>, query: () => Promise<unknown>) => ({
    connect: jest.fn(connect),
    query: jest.fn(query),
    release: jest.fn(async () => undefined),
  });

  it('drops a session whose connect failed, and leads once the database is back', async () => {
    const broken = runner(
      () => Promise.reject(new Error('the database system is not yet accepting connections')),
      () => Promise.reject(new Error('the database system is not yet accepting connections')),
    );
    const healthy = runner(
      () => Promise.resolve(),
      () => Promise.resolve([{ locked: true }]),
    );
    const runners = [broken, healthy];
    const db = { createQueryRunner: jest.fn(() => runners.shift()) } as unknown as DataSource;
    const relay = new OutboxRelay(db, { sendBatch: jest.fn() }, { source: 'test', batchSize: 10 });

    await expect(relay.tryAcquireLeadership()).rejects.toThrow(/not yet accepting/);
    expect(broken.release).toHaveBeenCalled();
    await expect(relay.tryAcquireLeadership()).resolves.toBe(true);
    expect(db.createQueryRunner).toHaveBeenCalledTimes(2);
  });

  it('drops a session whose lock query failed', async () => {
    const cut = runner(
      () => Promise.resolve(),
      () => Promise.reject(new Error('terminating connection due to administrator command')),
    );
    const healthy = runner(
      () => Promise.resolve(),
      () => Promise.resolve([{ locked: false }]),
    );
    const runners = [cut, healthy];
    const db = { createQueryRunner: jest.fn(() => runners.shift()) } as unknown as DataSource;
    const relay = new OutboxRelay(db, { sendBatch: jest.fn() }, { source: 'test', batchSize: 10 });

    await expect(relay.tryAcquireLeadership()).rejects.toThrow(/administrator command/);
    await expect(relay.tryAcquireLeadership()).resolves.toBe(false);
    expect(db.createQueryRunner).toHaveBeenCalledTimes(2);
  });
});

/** Between rounds the leader waits for a wake-up (a local command committed) or its poll. */
describe('OutboxRelay wait between rounds', () => {
  const relay = () => new OutboxRelay({} as DataSource, { sendBatch: jest.fn() }, { source: 'test' });
  const timed = async (wait: Promise<void>) => {
    const started = performance.now();
    await wait;
    return performance.now() - started;
  };

  it('ends the wait at the wake-up, long before the poll interval', async () => {
    const waiting = relay();
    const waited = timed(waiting.waitForPending(10_000));
    setTimeout(() => waiting.wake(), 20);
    expect(await waited).toBeLessThan(1_000);
  });

  it('does not wait at all after a wake-up that came during the round, and waits again after', async () => {
    const waiting = relay();
    waiting.wake();
    waiting.wake(); // folded into one
    expect(await timed(waiting.waitForPending(10_000))).toBeLessThan(100);
    expect(await timed(waiting.waitForPending(150))).toBeGreaterThanOrEqual(140);
  });
});
