import { createDataSource, PreparedStatements, runPendingMigrations } from '@analytics/persistence';
import { canonicalState, createScratchDatabase, envelopesOf, readModelSnapshot, sample } from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppliedPositionWaiter } from '../../consistency/applied-position.waiter';
import { queryApiSchema } from '../../query-api.schema';
import { EventDecoder } from '../event-decoder';
import { ProjectionEngine } from '../projection-engine';
import { ReadModelStore } from '../read-model.store';
import { pruneLedger } from './ledger-retention';

/** The ledger retention on a real Postgres read database, with read-your-writes and the engine on top. */
describe('pruneLedger', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  const week = { retentionHours: 168, batchSize: 5_000 };

  beforeAll(async () => {
    scratch = await createScratchDatabase('ledger_retention');
    await runPendingMigrations(queryApiSchema, scratch.url);
    db = await createDataSource(queryApiSchema, { url: scratch.url, poolMax: 5 }).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });
  beforeEach(() =>
    db.query(`TRUNCATE read_model.applied_events, read_model.ledger_horizon, read_model.stream_versions CASCADE`),
  );

  /** Ledger rows for positions first..last, applied `age` ago. */
  const ledgerRows = (first: number, last: number, age: string) =>
    db.query(
      `INSERT INTO read_model.applied_events (event_id, position, stream_type, stream_id, stream_version, applied_at)
       SELECT gen_random_uuid(), n, 'client-config', gen_random_uuid()::text, 1, now() - $3::interval
         FROM generate_series($1::int, $2::int) AS n`,
      [first, last, age],
    );
  const ledgerPositions = async () =>
    (
      (await db.query(`SELECT position::int AS p FROM read_model.applied_events ORDER BY position`)) as { p: number }[]
    ).map((row) => row.p);
  const horizon = async () =>
    ((await db.query(`SELECT pruned_through::int AS h FROM read_model.ledger_horizon`)) as { h: number }[]).map(
      (row) => row.h,
    );

  it('prunes from the lowest position up to the first row applied within the retention', async () => {
    await ledgerRows(1, 5, '200 hours');
    await ledgerRows(6, 6, '1 hour');
    await ledgerRows(7, 9, '300 hours');

    expect(await pruneLedger(db, week)).toEqual({ deleted: 5, prunedThrough: '5' });
    expect(await ledgerPositions()).toEqual([6, 7, 8, 9]);
    expect(await horizon()).toEqual([5]);
    // Nothing old enough at the head: nothing to do, the horizon stays.
    expect(await pruneLedger(db, week)).toEqual({ deleted: 0, prunedThrough: '5' });
  });

  it('goes on in batches until the head is young, and never moves the horizon back', async () => {
    await ledgerRows(1, 10, '200 hours');
    await ledgerRows(11, 12, '2 hours');

    expect(await pruneLedger(db, { retentionHours: 168, batchSize: 3 })).toEqual({ deleted: 10, prunedThrough: '10' });
    expect(await ledgerPositions()).toEqual([11, 12]);
    // An event applied late below the horizon (a retried dead letter): pruned however young.
    await ledgerRows(4, 4, '1 minute');
    expect(await pruneLedger(db, week)).toEqual({ deleted: 1, prunedThrough: '10' });
    expect(await ledgerPositions()).toEqual([11, 12]);
    expect(await horizon()).toEqual([10]);
  });

  it('three replicas sweeping at once delete every old row once', async () => {
    await ledgerRows(1, 3_000, '200 hours');
    await ledgerRows(3_001, 3_010, '1 hour');

    const sweeps = await Promise.all([1, 2, 3].map(() => pruneLedger(db, { retentionHours: 168, batchSize: 500 })));

    expect(sweeps.reduce((sum, sweep) => sum + sweep.deleted, 0)).toBe(3_000);
    expect(await ledgerPositions()).toEqual(Array.from({ length: 10 }, (_, i) => 3_001 + i));
    expect(await horizon()).toEqual([3_000]);
  });

  it('read-your-writes counts a pruned position as applied, and still waits for one above the horizon', async () => {
    await ledgerRows(1, 50, '200 hours');
    await ledgerRows(52, 52, '1 hour');
    await pruneLedger(db, week);
    const waiter = new AppliedPositionWaiter(db, { pollMs: 20, maxWaiters: 10 });
    try {
      expect(await waiter.waitFor('7', 1_000)).toBe(true);
      expect(await waiter.waitFor('52', 1_000)).toBe(true);
      expect(await waiter.waitFor('51', 0)).toBe(false);
    } finally {
      waiter.close();
    }
  });

  it('an event redelivered after its ledger row was pruned changes nothing', async () => {
    const engine = new ProjectionEngine(
      PreparedStatements.of(db),
      new EventDecoder({ maxBytes: 1024 * 1024 }),
      new ReadModelStore(),
      { projection: 'retention', maxAttempts: 2, retryDelayMs: 10, rawExcerptBytes: 256 },
    );
    const [created, renamed] = envelopesOf('client-config', randomUUID(), [
      sample.clientCreated('pruned'),
      sample.settingsChanged({ region: 'eu' }),
    ]);
    let offset = 0;
    const deliver = (envelope: unknown) =>
      engine.handle({
        topic: 'it.client-config',
        partition: 0,
        offset: String(offset++),
        streamType: 'client-config',
        value: Buffer.from(JSON.stringify(envelope)),
      });
    expect([await deliver(created), await deliver(renamed)]).toEqual(['applied', 'applied']);
    await db.query(`UPDATE read_model.applied_events SET applied_at = now() - interval '200 hours'`);
    expect((await pruneLedger(db, week)).deleted).toBe(2);
    const before = canonicalState(await readModelSnapshot(db));

    // Kafka hands both over again (a reset group, say), at new offsets.
    expect([await deliver(created), await deliver(renamed)]).toEqual(['stale', 'stale']);

    expect(canonicalState(await readModelSnapshot(db))).toEqual(before);
    expect(await ledgerPositions()).toEqual([]);
  });
});
