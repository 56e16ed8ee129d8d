import { EventEnvelope, UpcasterRegistry } from '@analytics/contracts';
import { createDataSource, PreparedStatements, runPendingMigrations } from '@analytics/persistence';
import { canonicalState, createScratchDatabase, envelopesOf, readModelSnapshot, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryApiSchema } from '../query-api.schema';
import { EventDecoder } from './event-decoder';
import { foldHistory } from './fold-history';
import { IncomingMessage, ProjectionEngine } from './projection-engine';
import { ProjectedEvent } from './projected-event';
import { ReadModelStore } from './read-model.store';

/** The projection engine on a real Postgres read database of its own (messages handed in directly). */
describe('ProjectionEngine', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  let engine: ProjectionEngine;
  const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });
  const options = { projection: 'it', maxAttempts: 2, retryDelayMs: 10, rawExcerptBytes: 256 };
  /** Every event the engine should have applied so far (the expected state is their fold). */
  const delivered = new Map<string, EventEnvelope>();
  const offsets = new Map<string, number>();

  beforeAll(async () => {
    scratch = await createScratchDatabase('projection_engine');
    await runPendingMigrations(queryApiSchema, scratch.url);
    db = await createDataSource(queryApiSchema, { url: scratch.url, poolMax: 5 }).initialize();
    engine = new ProjectionEngine(PreparedStatements.of(db), decoder, new ReadModelStore(), options);
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  /** Hands a message to the engine at the next offset of the stream type's topic. */
  function deliver(streamType: string, value: Buffer | string | null, using = engine) {
    const topic = `it.${streamType}`;
    const offset = offsets.get(topic) ?? 0;
    offsets.set(topic, offset + 1);
    const message: IncomingMessage = {
      topic,
      partition: 0,
      offset: String(offset),
      streamType,
      value: value === null ? null : Buffer.from(value),
    };
    return using.handle(message);
  }
  const deliverEvent = (envelope: EventEnvelope, using = engine) => {
    delivered.set(envelope.id, envelope);
    return deliver(envelope.streamType, JSON.stringify(envelope), using);
  };

  const expectedState = () =>
    canonicalState(
      foldHistory(
        [...delivered.values()].map((envelope) => {
          const result = decoder.decode(JSON.stringify(envelope), envelope.streamType);
          if (!result.ok) throw new Error(result.detail);
          return result.event as ProjectedEvent;
        }),
      ),
    );
  const count = async (table: string, where = 'true') =>
    (await db.query(`SELECT count(*)::int AS n FROM read_model.${table} WHERE ${where}`))[0].n as number;

  it('applies a redelivered message once: the second time changes nothing', async () => {
    const [created] = envelopesOf('client-config', randomUUID(), [sample.clientCreated('redelivery')]);
    expect(await deliverEvent(created)).toBe('applied');
    const before = canonicalState(await readModelSnapshot(db));
    expect(await deliverEvent(created)).toBe('duplicate');
    expect(canonicalState(await readModelSnapshot(db))).toEqual(before);
    expect(await count('applied_events', `event_id = '${created.id}'`)).toBe(1);
  });

  it('v3 twice and v5 before v4: the state equals the fold of v1..v6, nothing left waiting', async () => {
    const streamId = randomUUID();
    const [v1, v2, v3, v4, v5, v6] = envelopesOf('connector-profile', streamId, [
      sample.connectorRegistered('ordering', 'warehouse'),
      sample.connectorUpdated({ name: 'warehouse-2' }),
      sample.connectorDisabled(),
      sample.connectorEnabled(),
      sample.connectorUpdated({ tags: ['eu', 'prod'] }),
      sample.connectorArchived(),
    ]);
    const outcomes = [];
    for (const envelope of [v1, v2, v3, v3, v5, v4, v6]) outcomes.push(await deliverEvent(envelope));
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'duplicate', 'pending', 'applied', 'applied']);
    // Another event claiming an old version is a no-op.
    const [olderVersion] = envelopesOf('connector-profile', streamId, [sample.connectorDisabled()], {
      firstVersion: 2,
    });
    expect(await deliver('connector-profile', JSON.stringify(olderVersion))).toBe('stale');

    expect(canonicalState(await readModelSnapshot(db))).toEqual(expectedState());
    expect(await count('pending_events')).toBe(0);
    expect(await count('applied_events', `stream_id = '${streamId}'`)).toBe(6);
    const [row] = await db.query(`SELECT version, status FROM read_model.connector_profiles WHERE id = $1`, [streamId]);
    expect(row).toEqual({ version: 6, status: 'archived' });
  });

  it('dead-letters poison (not JSON, 5 MB, __proto__, unknown type) and goes on', async () => {
    const [good] = envelopesOf('client-config', randomUUID(), [sample.clientCreated('after-poison')]);
    const proto = JSON.stringify(good).replace('"data":{', '"data":{"__proto__":{"isAdmin":true},');
    const outcomes = [
      await deliver('client-config', 'this is not JSON'),
      await deliver('client-config', Buffer.alloc(5 * 1024 * 1024, 'a')),
      await deliver('client-config', proto),
      await deliver('client-config', JSON.stringify({ ...good, id: randomUUID(), type: 'client-config.renamed' })),
      await deliverEvent(good),
    ];
    expect(outcomes).toEqual(['dead-lettered', 'dead-lettered', 'dead-lettered', 'dead-lettered', 'applied']);
    const letters = await db.query(
      `SELECT reason, raw_bytes, length(raw_excerpt) AS excerpt FROM read_model.dead_letters ORDER BY id`,
    );
    expect(letters).toEqual([
      { reason: 'invalid-json', raw_bytes: 16, excerpt: 16 },
      { reason: 'too-large', raw_bytes: 5 * 1024 * 1024, excerpt: 256 },
      { reason: 'forbidden-key', raw_bytes: Buffer.byteLength(proto), excerpt: 256 },
      { reason: 'unknown-event-type', raw_bytes: expect.any(Number), excerpt: 256 },
    ]);
    expect({} as Record<string, unknown>).not.toHaveProperty('isAdmin');
    // The checkpoint moved past every one of them.
    expect(await engine.checkpointOf('it.client-config', 0)).toBe(String(offsets.get('it.client-config')));
  });

  it('a dead-lettered event holds back only its own stream, until it is skipped', async () => {
    const blockedId = randomUUID();
    const [b1, b2, b3, b4] = envelopesOf('connector-profile', blockedId, [
      sample.connectorRegistered('blocking', 'a'),
      sample.connectorUpdated({ name: 'b' }),
      sample.connectorDisabled(),
      sample.connectorEnabled(),
    ]);
    const otherId = randomUUID();
    const [o1, o2] = envelopesOf('connector-profile', otherId, [
      sample.connectorRegistered('blocking', 'other'),
      sample.connectorDisabled(),
    ]);
    expect(await deliverEvent(b1)).toBe('applied');
    // v2 breaks its schema (a name of 300 characters): dead-lettered, with its identity.
    expect(await deliver('connector-profile', JSON.stringify({ ...b2, data: { name: 'x'.repeat(300) } }))).toBe(
      'dead-lettered',
    );
    expect(await deliverEvent(b3)).toBe('pending');
    expect(await deliverEvent(o1)).toBe('applied');
    expect(await deliverEvent(b4)).toBe('pending');
    expect(await deliverEvent(o2)).toBe('applied');
    expect(await count('pending_events', `stream_id = '${blockedId}'`)).toBe(2);

    const [letter] = await db.query(
      `SELECT id::text AS id, stream_version FROM read_model.dead_letters WHERE stream_id = $1`,
      [blockedId],
    );
    expect(letter.stream_version).toBe(2);
    expect(await engine.skipDeadLetter(letter.id)).toEqual({ status: 'skipped', released: 2 });
    delivered.delete(b2.id); // skipped: never applied
    expect(canonicalState(await readModelSnapshot(db))).toEqual(expectedState());
    const [row] = await db.query(`SELECT version, status, name FROM read_model.connector_profiles WHERE id = $1`, [
      blockedId,
    ]);
    expect(row).toEqual({ version: 4, status: 'active', name: 'a' });
    await expect(engine.skipDeadLetter(letter.id)).rejects.toThrow(/already skipped/);
  });

  it('a retry after the fix is deployed applies the event and the ones waiting behind it', async () => {
    // An older deployment without the client-config.created v1 upcaster cannot read v1 events.
    const withoutUpcasters = new ProjectionEngine(
      PreparedStatements.of(db),
      new EventDecoder({ maxBytes: 1024 * 1024, upcasters: new UpcasterRegistry([]) }),
      new ReadModelStore(),
      options,
    );
    const streamId = randomUUID();
    const [v1, v2] = envelopesOf('client-config', streamId, [
      sample.clientCreatedV1('retried'),
      sample.flagSet('x', true),
    ]);
    expect(await deliverEvent(v1, withoutUpcasters)).toBe('dead-lettered');
    expect(await deliverEvent(v2, withoutUpcasters)).toBe('pending');
    const [letter] = await db.query(`SELECT id::text AS id, reason FROM read_model.dead_letters WHERE stream_id = $1`, [
      streamId,
    ]);
    expect(letter.reason).toBe('schema-mismatch');

    expect(await engine.retryDeadLetter(letter.id)).toEqual({ status: 'retried', outcome: 'applied' });
    expect(canonicalState(await readModelSnapshot(db))).toEqual(expectedState());
    const [overview] = await db.query(
      `SELECT config_version, feature_flags FROM read_model.client_overviews WHERE client_id = 'retried'`,
    );
    expect(overview).toEqual({ config_version: 2, feature_flags: { x: true } });
  });

  it('dead-letters an event its projection cannot apply after the bounded attempts', async () => {
    const [orphan] = envelopesOf('service-proposal', randomUUID(), [sample.proposalSubmitted()]);
    expect(await deliver('service-proposal', JSON.stringify(orphan))).toBe('dead-lettered');
    const [letter] = await db.query(`SELECT reason, detail FROM read_model.dead_letters WHERE event_id = $1`, [
      orphan.id,
    ]);
    expect(letter).toEqual({ reason: 'handler-error', detail: expect.stringMatching(/never drafted/) });
  });

  it('applies a batch in one transaction: out of order, duplicates and poison inside it', async () => {
    const streamId = randomUUID();
    const [v1, v2, v3, v4] = envelopesOf('service-proposal', streamId, [
      sample.proposalDrafted('batched', [[2, 50]]),
      sample.proposalRevised([[3, 50]]),
      sample.proposalSubmitted(),
      sample.proposalAccepted(),
    ]);
    const topic = 'it.service-proposal';
    const values = [v2, v1, 'poison', v1, v4, v3];
    const start = offsets.get(topic) ?? 0;
    offsets.set(topic, start + values.length);
    [v1, v2, v3, v4].forEach((envelope) => delivered.set(envelope.id, envelope));
    const outcomes = await engine.handleBatch(
      values.map((value, i) => ({
        topic,
        partition: 0,
        offset: String(start + i),
        streamType: 'service-proposal',
        value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      })),
    );
    expect(outcomes).toEqual(['pending', 'applied', 'dead-lettered', 'duplicate', 'pending', 'applied']);
    expect(canonicalState(await readModelSnapshot(db))).toEqual(expectedState());
    const [overview] = await db.query(
      `SELECT accepted_total_minor::text AS accepted FROM read_model.client_overviews WHERE client_id = 'batched'`,
    );
    expect(overview).toEqual({ accepted: '150' });
    expect(await engine.checkpointOf(topic, 0)).toBe(String(start + values.length));
  });

  it('never applies a message below the checkpoint again', async () => {
    const [created] = envelopesOf('client-config', randomUUID(), [sample.clientCreated('below-checkpoint')]);
    await deliverEvent(created);
    const offset = String((offsets.get('it.client-config') as number) - 1);
    const again = await engine.handle({
      topic: 'it.client-config',
      partition: 0,
      offset,
      streamType: 'client-config',
      value: Buffer.from(JSON.stringify(created)),
    });
    expect(again).toBe('checkpointed');
  });

  it('applies the messages of several partitions in one call, each against its own checkpoint', async () => {
    const topic = 'it.connector-profile';
    const [first] = envelopesOf('connector-profile', randomUUID(), [
      sample.connectorRegistered('partitions', 'on-one', 'postgres'),
    ]);
    const [second, renamed] = envelopesOf('connector-profile', randomUUID(), [
      sample.connectorRegistered('partitions', 'on-two', 'sftp'),
      sample.connectorUpdated({ tags: ['moved'] }),
    ]);
    // Partition 2 already applied its offset 0 (the same event): it is checkpointed, not applied twice.
    await engine.handle({
      topic,
      partition: 2,
      offset: '0',
      streamType: 'connector-profile',
      value: Buffer.from(JSON.stringify(second)),
    });
    [first, second, renamed].forEach((envelope) => delivered.set(envelope.id, envelope));
    const message = (partition: number, offset: number, envelope: EventEnvelope): IncomingMessage => ({
      topic,
      partition,
      offset: String(offset),
      streamType: 'connector-profile',
      value: Buffer.from(JSON.stringify(envelope)),
    });
    const outcomes = await engine.handleBatch([message(2, 0, second), message(1, 0, first), message(2, 1, renamed)]);
    expect(outcomes).toEqual(['checkpointed', 'applied', 'applied']);
    expect(await engine.checkpointOf(topic, 1)).toBe('1');
    expect(await engine.checkpointOf(topic, 2)).toBe('2');
    expect(canonicalState(await readModelSnapshot(db))).toEqual(expectedState());
  });
});
