import { STREAM_TYPES } from '@analytics/contracts';
import { appendToStream } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import {
  AppProcess,
  canonicalState,
  createScratchDatabase,
  eventually,
  jsonOf,
  readModelSnapshot,
  sample,
  startApp,
} from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { foldHistory } from '../apps/query-api/src/projections/fold-history';
import { ProjectedEvent } from '../apps/query-api/src/projections/projected-event';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';
import {
  eventHistory,
  expectConsistent as expectReadModelConsistent,
  ledgerCount as countLedger,
  writeHistory,
} from './read-side-fixtures';

const EVENTS = Number(process.env.READ_SIDE_E2E_EVENTS ?? 20_000);
const KILLS = Number(process.env.READ_SIDE_E2E_KILLS ?? 10);

/**
 * The read side as it runs: command-api (own write database) publishes through its outbox,
 * query-api (own read database) projects from Kafka and answers queries. Both as processes.
 */
describe('read side end to end', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  // Topics of this file only: other e2e files' command-apis publish on the run's topics.
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}rs${randomUUID().slice(0, 6)}.`;
  const topics = new TopicNames(prefix);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const groupId = `query-api-e2e-${randomUUID().slice(0, 8)}`;
  let writeScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let writeDb: DataSource;
  let readDb: DataSource;
  let commandApi: AppProcess;
  let queryApi: AppProcess | undefined;

  const startQueryApi = () =>
    startApp('query-api', {
      READ_DATABASE_URL: readScratch.url,
      DATABASE_URL: readScratch.url,
      KAFKA_TOPIC_PREFIX: prefix,
      PROJECTIONS_GROUP_ID: groupId,
      PROJECTIONS_SESSION_TIMEOUT_MS: '6000',
    });

  beforeAll(async () => {
    writeScratch = await createScratchDatabase('read_side_write');
    readScratch = await createScratchDatabase('read_side_read');
    await runPendingMigrations(commandApiSchema, writeScratch.url);
    await runPendingMigrations(queryApiSchema, readScratch.url);
    writeDb = await new DataSource({ type: 'postgres', url: writeScratch.url, extra: { max: 20 } }).initialize();
    readDb = await new DataSource({ type: 'postgres', url: readScratch.url, extra: { max: 5 } }).initialize();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: STREAM_TYPES.map((type) => ({ topic: topics.eventsOf(type), numPartitions: 6 })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    commandApi = await startApp('command-api', { DATABASE_URL: writeScratch.url, KAFKA_TOPIC_PREFIX: prefix });
    queryApi = await startQueryApi();
  });

  afterAll(async () => {
    await queryApi?.stop();
    await commandApi?.stop();
    await writeDb?.destroy();
    await readDb?.destroy();
    await writeScratch?.drop();
    await readScratch?.drop();
  });

  const command = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${commandApi.baseUrl}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return jsonOf<{ id: string; version: number; position: string }>(response);
  };
  const query = (path: string) => fetch(`${(queryApi as AppProcess).baseUrl}${path}`);

  const history = () => eventHistory(writeDb);
  const ledgerCount = () => countLedger(readDb);
  const expectConsistent = (all: ProjectedEvent[]) => expectReadModelConsistent(readDb, all);

  it('shows what commands did through the query endpoints', async () => {
    const clientId = `acme-${randomUUID().slice(0, 6)}`;
    await command('POST', '/client-configs', {
      clientId,
      displayName: 'Acme',
      timezone: 'Europe/Paris',
      currency: 'EUR',
      settings: { theme: 'dark' },
    });
    const profile = await command('POST', '/connector-profiles', {
      clientId,
      name: 'Orders',
      kind: 'postgres',
      config: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader' },
      tags: ['finance', 'eu'],
      secrets: { password: 'hunter2-very-secret' },
    });
    const proposal = await command('POST', '/service-proposals', {
      clientId,
      title: 'Audit',
      lineItems: [{ sku: 'AUDIT', description: 'Audit', quantity: 1_000_000, unitPriceMinor: 1_000_000_000_000 }],
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await command('POST', `/service-proposals/${proposal.id}/submit`);
    const accepted = await command('POST', `/service-proposals/${proposal.id}/accept`);

    const waited = await eventually(
      async () => {
        const response = await query(`/v1/clients/${clientId}/overview`);
        if (response.status !== 200) return false;
        const overview = await jsonOf<{ position: string }>(response);
        return BigInt(overview.position) >= BigInt(accepted.position);
      },
      30_000,
      50,
    );
    console.log(`write-to-read lag (command answered -> visible in GET overview): <= ${waited} ms`);

    const overview = await jsonOf<Record<string, unknown>>(await query(`/v1/clients/${clientId}/overview`));
    expect(overview).toMatchObject({
      clientId,
      displayName: 'Acme',
      currency: 'EUR',
      status: 'active',
      connectors: { total: 1, byKind: { postgres: 1 }, byStatus: { active: 1 } },
      proposals: { total: 1, byStatus: { accepted: 1 } },
      acceptedTotalMinor: '1000000000000000000',
    });
    const profiles = await query(`/v1/connector-profiles?clientId=${clientId}&tag=eu&namePrefix=Ord&kind=postgres`);
    const profileBody = await profiles.text();
    expect(JSON.parse(profileBody)).toMatchObject({
      items: [{ id: profile.id, name: 'Orders', secretNames: ['password'], version: 1 }],
      nextCursor: null,
    });
    expect(profileBody).not.toMatch(/hunter2|secrets"|v1:/);
    expect(await jsonOf(await query(`/v1/service-proposals/${proposal.id}`))).toMatchObject({
      status: 'accepted',
      totalMinor: '1000000000000000000',
      version: 3,
      position: accepted.position,
    });
    expect((await query(`/v1/service-proposals?clientId=${clientId}&status=draft`)).status).toBe(200);

    for (const bad of [
      '/v1/connector-profiles?colour=red',
      '/v1/service-proposals?limit=500',
      '/v1/clients?cursor=xyz',
    ]) {
      const response = await query(bad);
      expect({ bad, status: response.status, type: response.headers.get('content-type') }).toEqual({
        bad,
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    }
    expect((await query(`/v1/connector-profiles/${randomUUID()}`)).status).toBe(404);
  });

  it(`survives ${KILLS} kill -9 during a catch-up of ${EVENTS} events: state = fold of the applied events, none twice`, async () => {
    await queryApi?.stop();
    queryApi = undefined;
    const started = Date.now();
    const written = await writeHistory(writeDb, topics, EVENTS, 'load');
    console.log(`wrote ${written} events through appendToStream in ${Date.now() - started} ms`);
    const all = await history();

    for (let kill = 1; kill <= KILLS; kill++) {
      queryApi = await startQueryApi();
      const before = await ledgerCount();
      await eventually(
        async () => (await ledgerCount()) >= Math.min(all.length, before + all.length / (KILLS + 3)),
        60_000,
        20,
      );
      await queryApi.kill();
      queryApi = undefined;
      const { applied, checksum } = await expectConsistent(all);
      console.log(`kill -9 #${kill}: ${applied} of ${all.length} applied, read model = fold of them (${checksum})`);
    }

    queryApi = await startQueryApi();
    const from = await ledgerCount();
    if (from < all.length) {
      // The apply rate proper: from the first event applied (after start and group join) to the last.
      await eventually(async () => (await ledgerCount()) > from, 60_000, 20);
      const catchUp = Date.now();
      const first = await ledgerCount();
      await eventually(async () => (await ledgerCount()) === all.length, 120_000, 50);
      const seconds = (Date.now() - catchUp) / 1000;
      console.log(
        `final catch-up: ${all.length - first} events in ${seconds.toFixed(2)} s = ${Math.round((all.length - first) / seconds)} events/s applied`,
      );
    } else {
      // The last instance applied the rest between reaching its share and its kill.
      console.log(`final catch-up: nothing left, all ${all.length} applied before the last kill`);
    }
    const { checksum } = await expectConsistent(all);
    const final = canonicalState(await readModelSnapshot(readDb));
    expect(final).toEqual(canonicalState(foldHistory(all)));
    console.log(`final read model = fold of all ${all.length} events (${checksum})`);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.pending_events`)).toEqual([{ n: 0 }]);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.dead_letters`)).toEqual([{ n: 0 }]);
  });

  it('resumes from the database checkpoint after the group offsets were reset to latest; poison is dead-lettered', async () => {
    await queryApi?.stop(); // graceful: the group is empty, so its offsets can be reset
    queryApi = undefined;
    const admin = kafka.admin();
    await admin.connect();
    const topic = topics.eventsOf('client-config');
    const highWatermarks = async () =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    const before = await highWatermarks();
    const clientId = `late-${randomUUID().slice(0, 6)}`;
    await writeDb.transaction((tx) =>
      appendToStream(tx, {
        streamType: 'client-config',
        streamId: randomUUID(),
        expectedVersion: 0,
        events: [sample.clientCreated(clientId), sample.flagSet('late', true)],
        topic,
      }),
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: randomUUID(), value: 'not json at all' },
        { key: randomUUID(), value: '{"__proto__":{"isAdmin":true},"id":"x"}' },
      ],
    });
    await producer.disconnect();
    const all = await history();
    // Once the relay has published the two events, move the group past everything.
    await eventually(async () => (await highWatermarks()) >= before + 4, 20_000);
    await eventually(async () => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Empty' || groups[0]?.state === 'Dead';
    }, 20_000);
    for (const type of STREAM_TYPES) {
      await admin.resetOffsets({ groupId, topic: topics.eventsOf(type), earliest: false });
    }
    await admin.disconnect();

    queryApi = await startQueryApi();
    await eventually(async () => (await ledgerCount()) === all.length, 60_000, 100);
    await expectConsistent(all);
    const overview = await jsonOf<Record<string, unknown>>(await query(`/v1/clients/${clientId}/overview`));
    expect(overview).toMatchObject({ featureFlags: { late: true }, configVersion: 2 });

    await eventually(async () => {
      const page = await jsonOf<{ items: { reason: string }[] }>(await query('/v1/admin/dead-letters?status=open'));
      return page.items.length === 2;
    }, 20_000);
    const letters = await jsonOf<{ items: { id: string; reason: string }[] }>(await query('/v1/admin/dead-letters'));
    // Two partitions: the dead letters come in either order.
    expect(letters.items.map((letter) => letter.reason).sort()).toEqual(['forbidden-key', 'invalid-json']);
    const metrics = await (await query('/metrics')).text();
    expect(metrics).toMatch(/projection_dead_letters\{app="query-api"\} 2/);
    expect(metrics).toMatch(/projection_events_total\{stream_type="client-config",outcome="applied",app="query-api"\}/);
    const skipped = await fetch(`${queryApi.baseUrl}/v1/admin/dead-letters/${letters.items[0].id}/skip`, {
      method: 'POST',
    });
    expect(await jsonOf(skipped)).toMatchObject({ status: 'skipped' });
  });
});
