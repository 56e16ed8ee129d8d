import { EventEnvelope } from '@analytics/contracts';
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { eventStoreTestDatabase, eventually } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { appendToStream, NewEvent } from '../event-store';
import { OutboxRelay } from './outbox-relay';

const created: NewEvent = { type: 'client-config.created', schemaVersion: 1, data: { clientId: 'acme' } };
const renamed: NewEvent = { type: 'client-config.renamed', schemaVersion: 1, data: { displayName: 'Acme' } };

interface Received {
  key: string;
  envelope: EventEnvelope;
  headers: Record<string, string>;
}

/** The relay against the real Postgres and Kafka, with a database and topic of its own. */
describe('OutboxRelay', () => {
  const topic = `${process.env.KAFKA_TOPIC_PREFIX}relay-${randomUUID().slice(0, 8)}.events`;
  const kafka = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });
  let db: DataSource;
  let closeDatabase: () => Promise<void>;
  let producer: Producer;
  let consumer: Consumer;
  const received: Received[] = [];

  beforeAll(async () => {
    ({ db, close: closeDatabase } = await eventStoreTestDatabase('outbox_relay'));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `relay-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: message.key?.toString() ?? '',
          envelope: JSON.parse(message.value?.toString() ?? 'null') as EventEnvelope,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await closeDatabase?.();
  });

  const append = (streamId: string, expectedVersion: number, events: NewEvent[]) =>
    db.transaction((tx) =>
      appendToStream(tx, { streamType: 'client-config', streamId, expectedVersion, events, topic }),
    );

  const ofStream = (streamId: string) => received.filter((message) => message.key === streamId);

  const until = (condition: () => boolean) => eventually(async () => condition(), 20_000, 100);

  const drain = async (relay: OutboxRelay) => {
    while ((await relay.publishPending()) > 0);
  };

  it('lets one relay lead at a time; a standby takes over when the leader lets go', async () => {
    const first = new OutboxRelay(db, producer, { source: 'test' });
    const second = new OutboxRelay(db, producer, { source: 'test' });
    try {
      expect(await first.tryAcquireLeadership()).toBe(true);
      expect(await second.tryAcquireLeadership()).toBe(false);
      await first.release();
      expect(await second.tryAcquireLeadership()).toBe(true);
    } finally {
      await first.release();
      await second.release();
    }
  });

  it('publishes each event keyed by stream id, as the contract envelope with CloudEvents headers, in stream order', async () => {
    const streamA = randomUUID();
    const streamB = randomUUID();
    await append(streamA, 0, [created, renamed]);
    await append(streamB, 0, [created]);
    await append(streamA, 2, [renamed]);

    await drain(new OutboxRelay(db, producer, { source: 'command-api' }));
    await until(() => ofStream(streamA).length === 3 && ofStream(streamB).length === 1);

    expect(ofStream(streamA).map((message) => message.envelope.streamVersion)).toEqual([1, 2, 3]);
    const [first] = ofStream(streamA);
    expect(first.envelope).toMatchObject({
      type: 'client-config.created',
      schemaVersion: 1,
      streamType: 'client-config',
      streamId: streamA,
      streamVersion: 1,
      data: { clientId: 'acme' },
    });
    expect(first.headers).toMatchObject({
      ce_id: first.envelope.id,
      ce_type: 'client-config.created',
      ce_source: 'command-api',
      ce_specversion: '1.0',
      ce_subject: `client-config/${streamA}`,
      'content-type': 'application/json',
    });
  });

  it('still publishes an event whose transaction commits after one with a higher position', async () => {
    const late = randomUUID();
    const early = randomUUID();
    const relay = new OutboxRelay(db, producer, { source: 'command-api' });

    const held = db.createQueryRunner();
    await held.connect();
    await held.startTransaction();
    const lateAppend = await appendToStream(held, {
      streamType: 'client-config',
      streamId: late,
      expectedVersion: 0,
      events: [created],
      topic,
    });
    const earlyAppend = await append(early, 0, [created]);
    expect(BigInt(lateAppend.position)).toBeLessThan(BigInt(earlyAppend.position));

    await drain(relay);
    await until(() => ofStream(early).length === 1);
    expect(ofStream(late)).toHaveLength(0);

    await held.commitTransaction();
    await held.release();
    await drain(relay);
    await until(() => ofStream(late).length === 1);
    expect(ofStream(late)[0].envelope.position).toBe(lateAppend.position);
  });
});
