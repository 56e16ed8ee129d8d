import { randomBytes, randomUUID } from 'node:crypto';
import { readStream } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { eventStoreTestDatabase } from '@analytics/testing';
import { DataSource } from 'typeorm';
import { clientConfigCommand, clientConfigStream } from '../client-configs/client-config.stream';
import { CommandApiConfig } from '../command-api.config';
import { OutboxWakeUp } from '../outbox/outbox-wake-up';
import { RequestFingerprint } from '../secrets/request-fingerprint';
import { CommandExecutor } from './command-executor';
import { CommandContext } from './command-context';
import { UnprocessableError, VersionConflictError } from './domain-errors';

/**
 * The executor on a real Postgres database (the write side's migrations): one statement writes
 * events, write model and idempotency record, and a repeated Idempotency-Key never writes twice.
 */
describe('CommandExecutor', () => {
  let db: DataSource;
  let close: () => Promise<void>;
  let ttlSeconds = 60;
  let executor: CommandExecutor;

  beforeAll(async () => {
    ({ db, close } = await eventStoreTestDatabase('command_executor'));
    const config = {
      get idempotencyTtlSeconds() {
        return ttlSeconds;
      },
    } as CommandApiConfig;
    executor = new CommandExecutor(
      db,
      new TopicNames('t.'),
      config,
      new RequestFingerprint(randomBytes(32)),
      new OutboxWakeUp(),
    );
  });
  afterAll(() => close?.());

  const context = (key?: string, body: unknown = {}, expectedVersion?: number): CommandContext => ({
    expectedVersion,
    correlationId: randomUUID(),
    causationId: key ?? null,
    idempotency: key ? { key, request: { method: 'POST', path: '/v1/test', body } } : undefined,
  });
  const create = (id: string, clientId: string, ctx: CommandContext) =>
    executor.execute(
      clientConfigStream,
      id,
      clientConfigCommand({
        type: 'create',
        clientId,
        displayName: 'Acme',
        timezone: 'Europe/Paris',
        currency: 'EUR',
        settings: {},
        featureFlags: {},
      }),
      ctx,
    );
  const changeSettings = (id: string, patch: Record<string, unknown>, ctx: CommandContext) =>
    executor.execute(clientConfigStream, id, clientConfigCommand({ type: 'change-settings', patch }), ctx);
  const setFlag = (id: string, enabled: boolean, ctx: CommandContext) =>
    executor.execute(
      clientConfigStream,
      id,
      clientConfigCommand({ type: 'set-feature-flag', flag: 'beta', enabled }),
      ctx,
    );
  const versions = async (id: string) => (await readStream(db, 'client-config', id)).map((e) => e.streamVersion);
  const rowVersion = async (id: string) =>
    ((await db.query(`SELECT version FROM client_configs WHERE id = $1`, [id])) as { version: number }[])[0]?.version;

  it('writes events, outbox rows and the write-model row together, at the next version', async () => {
    const id = randomUUID();
    const created = await create(id, `c-${id}`, context());
    const changed = await changeSettings(id, { theme: 'dark' }, context(undefined, {}, 1));

    expect([created.result.version, changed.result.version]).toEqual([1, 2]);
    expect(await rowVersion(id)).toBe(2);
    const [{ outbox }] = await db.query(
      `SELECT count(*)::int AS outbox FROM outbox o JOIN events e ON e.position = o.event_position WHERE e.stream_id = $1`,
      [id],
    );
    expect(outbox).toBe(2);
  });

  it('refuses a stale If-Match with the current version and writes nothing', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    await expect(changeSettings(id, { theme: 'dark' }, context(undefined, {}, 0))).rejects.toMatchObject({
      currentVersion: 1,
    });
    await expect(changeSettings(id, { theme: 'dark' }, context(undefined, {}, 0))).rejects.toThrow(
      VersionConflictError,
    );
    expect(await versions(id)).toEqual([1]);
  });

  it('answers a repeated key with the first response and writes nothing, even after the stream moved on', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    const first = await changeSettings(id, { theme: 'dark' }, context('key-1', { theme: 'dark' }, 1));
    await changeSettings(id, { theme: 'light' }, context());

    // The If-Match of the first request is stale now: the repeat still gets the first answer.
    const repeat = await changeSettings(id, { theme: 'dark' }, context('key-1', { theme: 'dark' }, 1));
    expect(repeat).toEqual({ result: first.result, replayed: true });
    expect(first.result).toEqual({ id, version: 2, position: expect.stringMatching(/^\d+$/) });
    expect(await versions(id)).toEqual([1, 2, 3]);
  });

  it('refuses the same key with another request (422) and writes nothing', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context('key-2', { n: 1 }));
    await expect(create(randomUUID(), `other-${id}`, context('key-2', { n: 2 }))).rejects.toThrow(UnprocessableError);
    const [{ clients }] = await db.query(`SELECT count(*)::int AS clients FROM client_configs WHERE client_id = $1`, [
      `other-${id}`,
    ]);
    expect(clients).toBe(0);
  });

  it('records a command that changes nothing, so that its repeat is answered as it was', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    await setFlag(id, true, context());
    const noChange = await setFlag(id, true, context('key-3', { enabled: true }));
    await changeSettings(id, { theme: 'dark' }, context());
    expect(await setFlag(id, true, context('key-3', { enabled: true }))).toEqual({
      result: noChange.result,
      replayed: true,
    });
    expect(noChange.result.version).toBe(2);
    expect(await versions(id)).toEqual([1, 2, 3]);
  });

  it('forgets an expired key: the key can be used again, for any request', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    ttlSeconds = 1;
    try {
      await changeSettings(id, { theme: 'dark' }, context('key-4', { theme: 'dark' }));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const again = await changeSettings(id, { theme: 'light' }, context('key-4', { theme: 'light' }));
      expect(again).toMatchObject({ replayed: false, result: { version: 3 } });
    } finally {
      ttlSeconds = 60;
    }
    expect(await changeSettings(id, { theme: 'light' }, context('key-4', { theme: 'light' }))).toMatchObject({
      replayed: true,
      result: { version: 3 },
    });
  });

  it('lets 20 racing requests with one key write once, and answers all of them with that write', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => changeSettings(id, { theme: 'dark' }, context('key-5', { theme: 'dark' }))),
    );
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    expect(new Set(outcomes.map((outcome) => JSON.stringify(outcome.result))).size).toBe(1);
    expect(await versions(id)).toEqual([1, 2]);
  });

  it('refuses a create under an id whose stream exists (409) and writes nothing', async () => {
    const id = randomUUID();
    await create(id, `c-${id}`, context());
    await expect(create(id, `other-${id}`, context())).rejects.toBeInstanceOf(VersionConflictError);
    expect(await versions(id)).toEqual([1]);
    const [{ rows }] = await db.query(`SELECT count(*)::int AS rows FROM client_configs WHERE client_id = $1`, [
      `other-${id}`,
    ]);
    expect(rows).toBe(0);
  });

  it('lets 20 racing creates with one key create one client', async () => {
    const clientId = `race-${randomUUID()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => create(randomUUID(), clientId, context(`key-6-${clientId}`, { clientId }))),
    );
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    const [{ clients }] = await db.query(`SELECT count(*)::int AS clients FROM client_configs WHERE client_id = $1`, [
      clientId,
    ]);
    expect(clients).toBe(1);
  });
});
