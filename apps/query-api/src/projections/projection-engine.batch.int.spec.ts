import { EventEnvelope } from '@analytics/contracts';
import { createDataSource, PreparedStatements, runPendingMigrations } from '@analytics/persistence';
import { canonicalState, createScratchDatabase, envelopesOf, readModelSnapshot, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { queryApiSchema } from '../query-api.schema';
import { EventDecoder } from './event-decoder';
import { foldHistory } from './fold-history';
import { IncomingMessage, Outcome, ProjectionEngine } from './projection-engine';
import { ProjectedEvent } from './projected-event';
import { ReadModelStore } from './read-model.store';

/**
 * The engine's two ways of applying a batch on real Postgres: set-based (every attempt but the
 * last) and one event at a time (the last attempt; with maxAttempts 1, every batch). Given the
 * same shuffled, repeated deliveries, both must answer the same outcomes and end in the same read
 * model: the fold of the history.
 */
describe('ProjectionEngine, set-based against one event at a time', () => {
  const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });
  const databases: { url: string; drop(): Promise<void> }[] = [];
  const sources: DataSource[] = [];

  async function engineOnFreshDatabase(label: string, maxAttempts: number) {
    const scratch = await createScratchDatabase(label);
    databases.push(scratch);
    await runPendingMigrations(queryApiSchema, scratch.url);
    const db = await createDataSource(queryApiSchema, { url: scratch.url, poolMax: 3 }).initialize();
    sources.push(db);
    const options = { projection: 'it', maxAttempts, retryDelayMs: 1, rawExcerptBytes: 256 };
    return { db, engine: new ProjectionEngine(PreparedStatements.of(db), decoder, new ReadModelStore(), options) };
  }

  afterAll(async () => {
    await Promise.all(sources.map((db) => db.destroy()));
    await Promise.all(databases.map((scratch) => scratch.drop()));
  });

  /** Three clients, each with a config stream, two connector profiles and two proposals. */
  function history(): EventEnvelope[] {
    return ['alpha', 'beta', 'gamma'].flatMap((clientId) => [
      ...envelopesOf('client-config', randomUUID(), [
        sample.clientCreated(clientId),
        sample.settingsChanged({ theme: 'dark', '\\': 1, '"': 2 }),
        sample.flagSet('beta', true),
        sample.flagSet('beta', false),
      ]),
      ...[1, 2].flatMap((n) =>
        envelopesOf('connector-profile', randomUUID(), [
          sample.connectorRegistered(clientId, `${clientId}-${n}`, n === 1 ? 'postgres' : 'sftp'),
          sample.connectorUpdated({ tags: ['eu', `n${n}`] }),
          sample.connectorDisabled(),
        ]),
      ),
      ...[1, 2].flatMap((n) =>
        envelopesOf('service-proposal', randomUUID(), [
          sample.proposalDrafted(clientId, [[n, 1_000]]),
          sample.proposalSubmitted(),
          n === 1 ? sample.proposalAccepted() : sample.proposalRejected(),
        ]),
      ),
    ]);
  }

  /** A deterministic shuffle (a small LCG), so that a failure can be replayed. */
  function shuffled<T>(items: T[], seed: number): T[] {
    const result = [...items];
    let state = seed;
    for (let i = result.length - 1; i > 0; i--) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = state % (i + 1);
      [result[i], result[j]] = [result[j], result[i]];
    }
    return result;
  }

  it('answers the same outcomes and ends in the same read model, the fold of the history', async () => {
    const events = history();
    // Each stream type is a topic of one partition here; every event is delivered, some twice.
    const deliveries = shuffled([...events, ...events.filter((_, i) => i % 4 === 0)], 20261201);
    const setBased = await engineOnFreshDatabase('batch_set', 3);
    const oneByOne = await engineOnFreshDatabase('batch_single', 1);

    const outcomesOf = async (engine: ProjectionEngine) => {
      const offsets = new Map<string, number>();
      const outcomes: Outcome[] = [];
      for (let i = 0; i < deliveries.length; i += 7) {
        const byTopic = new Map<string, IncomingMessage[]>();
        for (const envelope of deliveries.slice(i, i + 7)) {
          const topic = `it.${envelope.streamType}`;
          const offset = offsets.get(topic) ?? 0;
          offsets.set(topic, offset + 1);
          const messages = byTopic.get(topic) ?? [];
          messages.push({
            topic,
            partition: 0,
            offset: String(offset),
            streamType: envelope.streamType,
            value: Buffer.from(JSON.stringify(envelope)),
          });
          byTopic.set(topic, messages);
        }
        for (const messages of byTopic.values()) outcomes.push(...(await engine.handleBatch(messages)));
      }
      return outcomes;
    };

    const setBasedOutcomes = await outcomesOf(setBased.engine);
    const oneByOneOutcomes = await outcomesOf(oneByOne.engine);
    expect(setBasedOutcomes).toEqual(oneByOneOutcomes);
    // The shuffle does put events before their predecessors and repeat some.
    expect(setBasedOutcomes).toContain('pending');
    expect(setBasedOutcomes).toContain('duplicate');

    const expected = canonicalState(
      foldHistory(
        events.map((envelope) => {
          const decoded = decoder.decode(JSON.stringify(envelope), envelope.streamType);
          if (!decoded.ok) throw new Error(decoded.detail);
          return decoded.event as ProjectedEvent;
        }),
      ),
    );
    for (const { db } of [setBased, oneByOne]) {
      expect(canonicalState(await readModelSnapshot(db))).toEqual(expected);
      const [counts] = await db.query(
        `SELECT (SELECT count(*)::int FROM read_model.applied_events) AS applied,
                (SELECT count(*)::int FROM read_model.pending_events) AS pending,
                (SELECT count(*)::int FROM read_model.dead_letters) AS dead`,
      );
      expect(counts).toEqual({ applied: events.length, pending: 0, dead: 0 });
    }
  });
});
