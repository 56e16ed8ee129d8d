import { randomUUID } from 'node:crypto';
import { eventStoreTestDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { storedResponse } from '../idempotency/idempotency';
import { sweepRetention } from './retention-sweep';

/** The retention sweep on a real Postgres database with the write side's migrations. */
describe('sweepRetention', () => {
  let db: DataSource;
  let close: () => Promise<void>;
  const options = { outboxRetentionHours: 168, batchSize: 5_000 };

  beforeAll(async () => {
    ({ db, close } = await eventStoreTestDatabase('retention_sweep'));
  });
  afterAll(() => close?.());
  beforeEach(() => db.query(`TRUNCATE outbox, idempotency_records`));

  let nextPosition = 1;
  const idempotencyRecord = (key: string, expiresIn: string) =>
    db.query(
      `INSERT INTO idempotency_records (key, request_hash, response_status, response_body, expires_at)
       VALUES ($1, repeat('a', 64), 201, '{"id":"x"}', now() + $2::interval)`,
      [key, expiresIn],
    );
  /** An outbox row enqueued `age` ago, published then (or not), parked or not; returns its id. */
  const outboxRow = async (age: string, state: 'published' | 'pending' | 'parked') => {
    const [row] = (await db.query(
      `INSERT INTO outbox (event_position, topic, message_key, enqueued_at, published_at, parked_at, parked_reason)
       VALUES ($1, 't.client-config', $2, now() - $3::interval,
               CASE WHEN $4 = 'published' THEN now() - $3::interval END,
               CASE WHEN $4 = 'parked' THEN now() - $3::interval END,
               CASE WHEN $4 = 'parked' THEN 'too large' END)
       RETURNING id::text AS id`,
      [nextPosition++, randomUUID(), age, state],
    )) as { id: string }[];
    return row.id;
  };
  const remainingKeys = async () =>
    ((await db.query(`SELECT key FROM idempotency_records ORDER BY key`)) as { key: string }[]).map((r) => r.key);
  const remainingOutboxIds = async () =>
    ((await db.query(`SELECT id::text AS id FROM outbox ORDER BY id`)) as { id: string }[]).map((r) => r.id);

  it('deletes expired idempotency records; a live key still replays its first response', async () => {
    await idempotencyRecord('expired-1', '-1 second');
    await idempotencyRecord('expired-2', '-3 days');
    await idempotencyRecord('live', '1 hour');

    const result = await sweepRetention(db, options);

    expect(result.idempotencyRecords).toBe(2);
    expect(await remainingKeys()).toEqual(['live']);
    expect(await storedResponse(db, { key: 'live', requestHash: 'a'.repeat(64), ttlSeconds: 60 })).toEqual({
      kind: 'same-request',
      response: { id: 'x' },
    });
  });

  it('deletes published outbox rows past the retention only; pending and parked rows stay, however old', async () => {
    const oldPublished = await outboxRow('200 hours', 'published');
    const recentPublished = await outboxRow('100 hours', 'published');
    const oldPending = await outboxRow('300 hours', 'pending');
    const oldParked = await outboxRow('300 hours', 'parked');
    const newPending = await outboxRow('1 second', 'pending');

    const result = await sweepRetention(db, options);

    expect(result.outboxRows).toBe(1);
    const remaining = await remainingOutboxIds();
    expect(remaining).not.toContain(oldPublished);
    expect(remaining).toEqual([recentPublished, oldPending, oldParked, newPending]);
  });

  it('goes on batch after batch until nothing is left to delete', async () => {
    for (let i = 0; i < 7; i++) await idempotencyRecord(`expired-${i}`, '-1 minute');
    for (let i = 0; i < 7; i++) await outboxRow('169 hours', 'published');

    const result = await sweepRetention(db, { ...options, batchSize: 2 });

    expect(result).toEqual({ idempotencyRecords: 7, outboxRows: 7 });
    expect(await remainingKeys()).toEqual([]);
    expect(await remainingOutboxIds()).toEqual([]);
  });

  it('lets replicas sweep at the same time: every row is deleted once, none fails', async () => {
    for (let i = 0; i < 300; i++) await idempotencyRecord(`expired-${i}`, '-1 minute');
    for (let i = 0; i < 300; i++) await outboxRow('200 hours', 'published');

    const results = await Promise.all([1, 2, 3].map(() => sweepRetention(db, { ...options, batchSize: 10 })));

    const total = (field: 'idempotencyRecords' | 'outboxRows') => results.reduce((sum, r) => sum + r[field], 0);
    expect([total('idempotencyRecords'), total('outboxRows')]).toEqual([300, 300]);
    expect(await remainingKeys()).toEqual([]);
    expect(await remainingOutboxIds()).toEqual([]);
  });
});
