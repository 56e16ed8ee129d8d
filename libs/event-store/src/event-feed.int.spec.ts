import { randomUUID } from 'node:crypto';
import { eventStoreTestDatabase } from '@analytics/testing';
import { DataSource, QueryRunner } from 'typeorm';
import { appendToStream, NewEvent, readEventFeed, RecordedEvent } from './event-store';
import { UnknownPositionError } from './event-store.errors';

const happened: NewEvent = { type: 'client-config.archived', schemaVersion: 1, data: {} };

/** The replay feed on a real Postgres database of its own, with transactions held open. */
describe('readEventFeed', () => {
  let db: DataSource;
  let close: () => Promise<void>;
  /** Where the reader is: the position of the last event it got. */
  let cursor = '0';
  const seen: RecordedEvent[] = [];

  beforeAll(async () => {
    ({ db, close } = await eventStoreTestDatabase('event_feed'));
  });
  afterAll(() => close?.());

  const appendCommitted = (streamId = randomUUID()) =>
    db.transaction((tx) =>
      appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion: 0, events: [happened], topic: 't' }),
    );

  /** Reads pages of `limit` until the feed has nothing more; returns what this catch-up got. */
  async function catchUp(limit = 2): Promise<RecordedEvent[]> {
    const got: RecordedEvent[] = [];
    for (;;) {
      const page = await readEventFeed(db, { after: cursor, limit });
      if (page.length === 0) return got;
      got.push(...page);
      seen.push(...page);
      cursor = page[page.length - 1].position;
    }
  }

  async function openTransaction(): Promise<QueryRunner> {
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    return runner;
  }

  it('holds back events committed after a still-open lower position, then delivers all of them once', async () => {
    const before = await Promise.all([appendCommitted(), appendCommitted(), appendCommitted()]);
    const late = await openTransaction();
    const lateStream = randomUUID();
    const lateEvent = await appendToStream(late.manager, {
      streamType: 'client-config',
      streamId: lateStream,
      expectedVersion: 0,
      events: [happened],
      topic: 't',
    });
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await appendCommitted());
    expect(BigInt(after[0].position)).toBeGreaterThan(BigInt(lateEvent.position));

    const whileOpen = await catchUp();
    expect(whileOpen.map((event) => event.position).sort()).toEqual(before.map((event) => event.position).sort());

    await late.commitTransaction();
    await late.release();
    const afterCommit = await catchUp();
    expect(afterCommit.map((event) => event.position)).toEqual([
      lateEvent.position,
      ...after.map((event) => event.position),
    ]);
  });

  it('delivers a transaction that started first but wrote last, though its position is higher', async () => {
    const early = await openTransaction();
    await early.query(`SELECT pg_current_xact_id()`); // takes its transaction id now, writes later
    const overtaking = await appendCommitted();
    expect(await catchUp()).toEqual([]);

    const earlyEvent = await appendToStream(early.manager, {
      streamType: 'client-config',
      streamId: randomUUID(),
      expectedVersion: 0,
      events: [happened],
      topic: 't',
    });
    await early.commitTransaction();
    await early.release();
    expect(BigInt(earlyEvent.position)).toBeGreaterThan(BigInt(overtaking.position));
    expect((await catchUp()).map((event) => event.position)).toEqual([earlyEvent.position, overtaking.position]);
  });

  it('gives a reader polling during 8 concurrent writers every event exactly once', async () => {
    let writing = true;
    const appended: string[] = [];
    const writers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 40; i++) appended.push((await appendCommitted()).position);
    });
    const reader = (async () => {
      while (writing) await catchUp(7);
    })();
    await Promise.all(writers);
    writing = false;
    await reader;
    await catchUp(7);

    const positions = seen.map((event) => event.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions).toEqual(expect.arrayContaining(appended));
    const [{ total }] = await db.query(`SELECT count(*)::int AS total FROM events`);
    expect(positions).toHaveLength(total);
  });

  it('refuses to resume after a position no event has', async () => {
    await expect(readEventFeed(db, { after: '987654321', limit: 10 })).rejects.toThrow(UnknownPositionError);
  });

  it('orders the events of one transaction by position as a number, across 9 -> 10', async () => {
    // A database of its own, so that positions start at 1: one transaction writes positions 1..12.
    const fresh = await eventStoreTestDatabase('event_feed_digits');
    try {
      await fresh.db.transaction((tx) =>
        appendToStream(tx, {
          streamType: 'client-config',
          streamId: randomUUID(),
          expectedVersion: 0,
          events: Array.from({ length: 12 }, () => happened),
          topic: 't',
        }),
      );
      const positions: string[] = [];
      for (let after = '0'; ;) {
        const page = await readEventFeed(fresh.db, { after, limit: 5 });
        if (page.length === 0) break;
        positions.push(...page.map((event) => event.position));
        after = page[page.length - 1].position;
      }
      expect(positions).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)));
    } finally {
      await fresh.close();
    }
  });
});
