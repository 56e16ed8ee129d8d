import { randomUUID } from 'node:crypto';
import { eventStoreTestDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { appendToStream, currentVersion, NewEvent, readStream } from './event-store';
import { StreamVersionConflictError } from './event-store.errors';

const registered: NewEvent = { type: 'client-config.created', schemaVersion: 1, data: { clientId: 'acme' } };
const renamed: NewEvent = { type: 'client-config.renamed', schemaVersion: 1, data: { displayName: 'Acme' } };

/** The event store on a real Postgres database of its own. */
describe('appendToStream', () => {
  let db: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await eventStoreTestDatabase('event_store'));
  });
  afterAll(() => close?.());

  const append = (streamId: string, expectedVersion: number, events: NewEvent[]) =>
    db.transaction((tx) =>
      appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion, events, topic: 't.events' }),
    );

  it('appends in version order, each event with its outbox entry, and reads the stream back', async () => {
    const streamId = randomUUID();
    const first = await append(streamId, 0, [registered, renamed]);
    const second = await append(streamId, 2, [renamed]);

    expect([first.version, second.version]).toEqual([2, 3]);
    expect(BigInt(second.position)).toBeGreaterThan(BigInt(first.position));
    const events = await readStream(db, 'client-config', streamId);
    expect(events.map((event) => [event.streamVersion, event.type])).toEqual([
      [1, 'client-config.created'],
      [2, 'client-config.renamed'],
      [3, 'client-config.renamed'],
    ]);
    const outbox = await db.query(
      `SELECT o.message_key, o.topic FROM outbox o JOIN events e ON e.position = o.event_position
        WHERE e.stream_id = $1 ORDER BY o.id`,
      [streamId],
    );
    expect(outbox).toEqual(Array(3).fill({ message_key: streamId, topic: 't.events' }));
  });

  it.each([
    ['behind (stale read)', 1],
    ['ahead (would leave a gap)', 5],
  ])('refuses an expected version %s and reports the actual one', async (_, expected) => {
    const streamId = randomUUID();
    await append(streamId, 0, [registered, renamed]);
    const attempt = append(streamId, expected, [renamed]);
    await expect(attempt).rejects.toThrow(StreamVersionConflictError);
    await expect(attempt).rejects.toMatchObject({ expectedVersion: expected, actualVersion: 2 });
    expect(await currentVersion(db, 'client-config', streamId)).toBe(2);
  });

  it('lets exactly one of 50 racing writers with the same expected version commit', async () => {
    const streamId = randomUUID();
    await append(streamId, 0, [registered]);

    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => append(streamId, 1, [renamed])));

    const committed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const conflicts = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && outcome.reason instanceof StreamVersionConflictError,
    );
    expect({ committed: committed.length, conflicts: conflicts.length }).toEqual({ committed: 1, conflicts: 49 });
    expect((await readStream(db, 'client-config', streamId)).map((event) => event.streamVersion)).toEqual([1, 2]);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM outbox o JOIN events e ON e.position = o.event_position WHERE e.stream_id = $1`,
      [streamId],
    );
    expect(count).toBe(2);
  });

  it('leaves nothing behind when the surrounding transaction rolls back', async () => {
    const streamId = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await appendToStream(tx, {
          streamType: 'client-config',
          streamId,
          expectedVersion: 0,
          events: [registered],
          topic: 't.events',
        });
        throw new Error('write model update failed');
      }),
    ).rejects.toThrow('write model update failed');
    expect(await currentVersion(db, 'client-config', streamId)).toBe(0);
  });

  it('answers the version and position of the last event, also when positions go from 9 to 10', async () => {
    const fresh = await eventStoreTestDatabase('event_store_digits');
    try {
      const result = await fresh.db.transaction((tx) =>
        appendToStream(tx, {
          streamType: 'client-config',
          streamId: randomUUID(),
          expectedVersion: 0,
          events: Array.from({ length: 12 }, () => renamed),
          topic: 't.events',
        }),
      );
      expect(result).toEqual({ version: 12, position: '12' });
    } finally {
      await fresh.close();
    }
  });
});
