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
  SampleEvent,
  startApp,
} from '@analytics/testing';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { foldHistory } from '../apps/query-api/src/projections/fold-history';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';
import { eventHistory, expectConsistent, ledgerCount } from './read-side-fixtures';

/** Events per second appended straight into the event store (the HTTP workers add theirs). */
const APPEND_RATE = Number(process.env.SCALE_OUT_E2E_RATE ?? 100);
/**
 * Joins and leaves of the third instance. Leaving alternates graceful (SIGTERM) and kill -9; the
 * third graceful one is a zombie first: frozen (SIGSTOP) in the middle of a transaction for longer
 * than the session timeout, so that its partitions move on while its transaction is still open,
 * then thawed (its transaction commits after the new owner started), then stopped.
 */
const CYCLES = Number(process.env.SCALE_OUT_E2E_CYCLES ?? 4);
const THIRD_UP_MS = 10_000;
const THIRD_DOWN_MS = 2_000;
const SESSION_TIMEOUT_MS = 6_000;

/** The local TCP ports of process `pid`'s sockets (its Postgres backends show them as client_port). */
function localPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length > 9 && inodes.has(columns[9])) ports.add(parseInt(columns[1].split(':')[1], 16));
    }
  }
  return ports;
}

type Stream = { streamType: string; streamId: string; clientId: string; version: number; done: boolean };

/**
 * Scale-out of the projections: two query-api instances in one consumer group over one read
 * database, and a third joining and leaving every ~10 s (gracefully, or by kill -9) while
 * command-api takes a steady load. Once the load stops and the group drains, every partition's
 * checkpoint is at the topic's end and the read model is exactly what one fresh instance folds
 * from the same topics.
 */
describe('query-api scale-out', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  // Topics of this file only: other e2e files' command-apis publish on the run's topics.
  const prefix = `${process.env.KAFKA_TOPIC_PREFIX ?? ''}so${randomUUID().slice(0, 6)}.`;
  const topics = new TopicNames(prefix);
  const eventTopics = STREAM_TYPES.map((type) => topics.eventsOf(type));
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const groupId = `query-api-scale-${randomUUID().slice(0, 8)}`;
  let writeScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let readScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let soloScratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let writeDb: DataSource;
  let readDb: DataSource;
  let soloDb: DataSource;
  let admin: Admin;
  let commandApi: AppProcess;
  /** Every query-api started, by name (stopped in afterAll whatever happened). */
  const instances = new Map<string, AppProcess>();
  /** Ends the watch of the run (see watch()); afterAll calls it too, should the test fail. */
  /** What happened when, printed at the end (also when the test fails). */
  const phases: string[] = [];
  let stopWatching: (() => Promise<ReturnType<typeof summary>>) | undefined;

  const startQueryApi = async (name: string, readUrl: string, group: string) => {
    const app = await startApp('query-api', {
      READ_DATABASE_URL: readUrl,
      DATABASE_URL: readUrl,
      DATABASE_POOL_MAX: '6',
      KAFKA_TOPIC_PREFIX: prefix,
      PROJECTIONS_GROUP_ID: group,
      PROJECTIONS_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    });
    instances.set(name, app);
    return app;
  };

  beforeAll(async () => {
    [writeScratch, readScratch, soloScratch] = await Promise.all([
      createScratchDatabase('scale_out_write'),
      createScratchDatabase('scale_out_read'),
      createScratchDatabase('scale_out_solo'),
    ]);
    await runPendingMigrations(commandApiSchema, writeScratch.url);
    await runPendingMigrations(queryApiSchema, readScratch.url);
    await runPendingMigrations(queryApiSchema, soloScratch.url);
    writeDb = await new DataSource({ type: 'postgres', url: writeScratch.url, extra: { max: 8 } }).initialize();
    readDb = await new DataSource({ type: 'postgres', url: readScratch.url, extra: { max: 4 } }).initialize();
    soloDb = await new DataSource({ type: 'postgres', url: soloScratch.url, extra: { max: 2 } }).initialize();
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: eventTopics.map((topic) => ({ topic, numPartitions: 6 })),
      waitForLeaders: true,
    });
    commandApi = await startApp('command-api', { DATABASE_URL: writeScratch.url, KAFKA_TOPIC_PREFIX: prefix });
  });

  afterAll(async () => {
    console.log(`timeline:\n${phases.join('\n')}`);
    await stopWatching?.();
    for (const app of instances.values()) await app.kill();
    await commandApi?.stop();
    await admin?.disconnect();
    await writeDb?.destroy();
    await readDb?.destroy();
    await soloDb?.destroy();
    await writeScratch?.drop();
    await readScratch?.drop();
    await soloScratch?.drop();
  });

  /** Per partition of the event topics: the DB checkpoint of `projection` and the high watermark. */
  async function positions(db: DataSource, projection: string) {
    const rows: { topic: string; partition: number; next_offset: string }[] = await db.query(
      `SELECT topic, partition, next_offset::text AS next_offset FROM read_model.projection_checkpoints
        WHERE projection = $1`,
      [projection],
    );
    const checkpoint = new Map(rows.map((row) => [`${row.topic}:${row.partition}`, row.next_offset]));
    const result: { partition: string; checkpoint: string; high: string }[] = [];
    for (const topic of eventTopics) {
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
        const key = `${topic}:${partition}`;
        result.push({ partition: key, checkpoint: checkpoint.get(key) ?? '0', high });
      }
    }
    return result;
  }
  const behind = async (db: DataSource, projection: string) =>
    (await positions(db, projection)).filter((position) => position.checkpoint !== position.high);
  const published = async () => {
    let total = 0;
    for (const topic of eventTopics) {
      for (const { high } of await admin.fetchTopicOffsets(topic)) total += Number(high);
    }
    return total;
  };

  /**
   * Freezes `app` (SIGSTOP) while it has a read-database transaction open, for longer than the
   * session timeout: the group moves its partitions to the others while its transaction still
   * holds its locks. Counts the new owners' transactions blocked behind the frozen ones, then
   * thaws it (SIGCONT): its transactions commit after the new owners started theirs.
   */
  async function freezeMidTransaction(app: AppProcess) {
    const ports = [...localPortsOf(app.pid)];
    const openTransactions = async (): Promise<number[]> =>
      (
        await readDb.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND client_port = ANY($1)
              AND xact_start IS NOT NULL AND state <> 'idle'`,
          [ports],
        )
      ).map((row: { pid: number }) => row.pid);
    let frozen: number[] = [];
    for (let attempt = 0; attempt < 500 && frozen.length === 0; attempt++) {
      if ((await openTransactions()).length === 0) continue;
      process.kill(app.pid, 'SIGSTOP');
      frozen = await openTransactions();
      if (frozen.length === 0) process.kill(app.pid, 'SIGCONT');
    }
    if (frozen.length === 0) throw new Error('the third instance never had a transaction open');
    const frozenAt = Date.now();
    let blockedSamples = 0;
    let blockedMax = 0;
    while (Date.now() - frozenAt < SESSION_TIMEOUT_MS + 3_000) {
      const [{ n }] = await readDb.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_blocking_pids(pid) && $1::int[]`,
        [frozen],
      );
      blockedSamples += n > 0 ? 1 : 0;
      blockedMax = Math.max(blockedMax, n);
      await sleep(100);
    }
    process.kill(app.pid, 'SIGCONT');
    return { frozenTransactions: frozen.length, frozenMs: Date.now() - frozenAt, blockedSamples, blockedMax };
  }

  /** The event ids on the topics (how many times each), read up to `expected` messages. */
  async function kafkaEventIds(expected: number): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    let seen = 0;
    const consumer = kafka.consumer({ groupId: `${groupId}-diagnosis` });
    await consumer.connect();
    await consumer.subscribe({ topics: eventTopics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen++;
        const id = (JSON.parse(message.value?.toString() ?? '{}') as { id?: string }).id ?? '?';
        ids.set(id, (ids.get(id) ?? 0) + 1);
      },
    });
    await eventually(async () => seen >= expected, 60_000, 200).catch(() => undefined);
    await consumer.disconnect();
    return ids;
  }

  /** Appends the next events of a stream, as the command side would (valid for its folds). */
  function nextEvents(stream: Stream, count: number): SampleEvent[] {
    const events: SampleEvent[] = [];
    for (let v = stream.version; v < stream.version + count && !stream.done; v++) {
      if (stream.streamType === 'client-config') {
        events.push(v === 0 ? sample.clientCreated(stream.clientId) : sample.flagSet(`f${v % 7}`, v % 2 === 0));
      } else if (stream.streamType === 'connector-profile') {
        events.push(
          v === 0
            ? sample.connectorRegistered(
                stream.clientId,
                `conn-${stream.streamId.slice(0, 8)}`,
                v % 2 ? 'sftp' : 'postgres',
              )
            : v % 3 === 1
              ? sample.connectorUpdated({ tags: [`t${v % 4}`] })
              : v % 3 === 2
                ? sample.connectorDisabled()
                : sample.connectorEnabled(),
        );
      } else if (v === 0) {
        events.push(sample.proposalDrafted(stream.clientId, [[1, 1_000]]));
      } else if (v <= 4) {
        events.push(sample.proposalRevised([[v + 1, 999 * v]]));
      } else if (v === 5) {
        events.push(sample.proposalSubmitted());
      } else {
        events.push(stream.streamId < '8' ? sample.proposalAccepted() : sample.proposalRejected());
        stream.done = true;
      }
    }
    return events;
  }

  /** Appends at `rate` events/s into streams of its own (new ones and old ones) until stopped. */
  async function appendWorker(worker: number, rate: number, running: () => boolean): Promise<number> {
    const streams: Stream[] = [];
    const clients: string[] = [];
    const started = Date.now();
    let appended = 0;
    while (running()) {
      let stream: Stream;
      const live = streams.filter((candidate) => !candidate.done);
      if (clients.length === 0 || live.length < 8 || Math.random() < 0.1) {
        const streamType = clients.length === 0 ? 'client-config' : STREAM_TYPES[Math.floor(Math.random() * 3)];
        const clientId =
          streamType === 'client-config'
            ? `w${worker}-${randomUUID().slice(0, 8)}`
            : clients[Math.floor(Math.random() * clients.length)];
        if (streamType === 'client-config') clients.push(clientId);
        stream = { streamType, streamId: randomUUID(), clientId, version: 0, done: false };
        streams.push(stream);
      } else {
        stream = live[Math.floor(Math.random() * live.length)];
      }
      const events = nextEvents(stream, 1 + Math.floor(Math.random() * 3));
      await writeDb.transaction((tx) =>
        appendToStream(tx, {
          streamType: stream.streamType,
          streamId: stream.streamId,
          expectedVersion: stream.version,
          events,
          topic: topics.eventsOf(stream.streamType),
        }),
      );
      stream.version += events.length;
      appended += events.length;
      const ahead = started + (appended / rate) * 1000 - Date.now();
      if (ahead > 0) await sleep(ahead);
    }
    return appended;
  }

  /** Drives command-api over HTTP (a client, its flags, a connector, a proposal to acceptance) until stopped. */
  async function httpWorker(worker: number, running: () => boolean): Promise<number> {
    let commands = 0;
    const command = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${commandApi.baseUrl}/v1${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      commands++;
      return jsonOf<{ id: string }>(response);
    };
    while (running()) {
      const clientId = `http${worker}-${randomUUID().slice(0, 8)}`;
      const config = await command('POST', '/client-configs', {
        clientId,
        displayName: `Client ${clientId}`,
        timezone: 'UTC',
        currency: 'EUR',
      });
      for (let flag = 0; flag < 3; flag++) {
        await command('PUT', `/client-configs/${config.id}/feature-flags/f${flag}`, { enabled: flag % 2 === 0 });
      }
      const profile = await command('POST', '/connector-profiles', {
        clientId,
        name: 'Orders',
        kind: 'postgres',
        config: { host: 'db.internal', port: 5432, database: 'orders', username: 'reader' },
        tags: ['a'],
        secrets: { password: 'a-long-enough-secret' },
      });
      await command('PATCH', `/connector-profiles/${profile.id}`, { tags: ['b'] });
      await command('POST', `/connector-profiles/${profile.id}/disable`);
      const proposal = await command('POST', '/service-proposals', {
        clientId,
        title: 'Audit',
        lineItems: [{ sku: 'AUDIT', description: 'Audit', quantity: 2, unitPriceMinor: 1_500 }],
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
      });
      await command('POST', `/service-proposals/${proposal.id}/submit`);
      await command('POST', `/service-proposals/${proposal.id}/accept`);
      await sleep(250);
    }
    return commands;
  }

  /**
   * Watches the run: the group's membership (a changed member set between two stable states is
   * at least one rebalance), transactions of one partition waiting on another instance's
   * transaction of that partition (the checkpoint row lock), and the instances' outcome counters.
   */
  function watch() {
    let running = true;
    let lastMembers: string | undefined;
    let rebalances = 0;
    let lockWaitSamples = 0;
    const outcomes = new Map<string, Record<string, number>>();
    const loops = [
      (async () => {
        while (running) {
          const { groups } = await admin.describeGroups([groupId]).catch(() => ({ groups: [] }));
          const group = groups[0];
          if (group?.state === 'Stable') {
            const members = group.members
              .map((member) => member.memberId)
              .sort()
              .join(',');
            if (lastMembers !== undefined && members !== lastMembers) rebalances++;
            lastMembers = members;
          }
          await sleep(200);
        }
      })(),
      (async () => {
        while (running) {
          const [{ n }] = await readDb
            .query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                  AND query LIKE '%projection_checkpoints%FOR UPDATE%'`,
            )
            .catch(() => [{ n: 0 }]);
          lockWaitSamples += n;
          await sleep(100);
        }
      })(),
      (async () => {
        while (running) {
          for (const [name, app] of instances) {
            if (name === 'solo') continue;
            const text = await fetch(`${app.baseUrl}/metrics`)
              .then((response) => response.text())
              .catch(() => undefined);
            if (text === undefined) continue;
            const counts: Record<string, number> = {};
            for (const [, outcome, value] of text.matchAll(
              /^projection_events_total\{[^}]*outcome="([a-z-]+)"[^}]*\} (\d+)/gm,
            )) {
              counts[outcome] = (counts[outcome] ?? 0) + Number(value);
            }
            outcomes.set(name, counts);
          }
          await sleep(1_000);
        }
      })(),
    ];
    const stop = async () => {
      running = false;
      await Promise.all(loops);
      stopWatching = undefined;
      return summary(rebalances, lockWaitSamples, outcomes);
    };
    stopWatching = stop;
    return stop;
  }

  function summary(rebalances: number, lockWaitSamples: number, outcomes: Map<string, Record<string, number>>) {
    const total: Record<string, number> = {};
    for (const counts of outcomes.values()) {
      for (const [outcome, value] of Object.entries(counts)) total[outcome] = (total[outcome] ?? 0) + value;
    }
    return { rebalances, lockWaitSamples, outcomes: total };
  }

  it(`two instances plus a third joining and leaving ${CYCLES} times under load end in the state of one instance; no partition stalls`, async () => {
    await Promise.all([startQueryApi('a', readScratch.url, groupId), startQueryApi('b', readScratch.url, groupId)]);
    const stopWatching = watch();
    let loading = true;
    const started = Date.now();
    const phase = (what: string) => phases.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
    const load = Promise.all([
      ...[0, 1, 2, 3].map((worker) => appendWorker(worker, APPEND_RATE / 4, () => loading)),
      ...[0, 1].map((worker) => httpWorker(worker, () => loading)),
    ]);

    // The third instance: up ~10 s, then gone (alternately SIGTERM and kill -9), and back.
    const leaves: string[] = [];
    let zombie: Awaited<ReturnType<typeof freezeMidTransaction>> | undefined;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const joining = Date.now();
      const third = await startQueryApi(`c${cycle}`, readScratch.url, groupId);
      phase(`c${cycle} live (ledger ${await ledgerCount(readDb)})`);
      await sleep(Math.max(3_000, joining + THIRD_UP_MS - Date.now()));
      if (cycle % 4 === 2) {
        zombie = await freezeMidTransaction(third);
        phase(`c${cycle} thawed: ${JSON.stringify(zombie)}`);
        await sleep(2_000);
        await third.stop();
        leaves.push('SIGSTOP mid-transaction + SIGCONT + SIGTERM');
      } else if (cycle % 2 === 0) {
        await third.stop();
        leaves.push('SIGTERM');
      } else {
        await third.kill();
        leaves.push('kill -9');
      }
      instances.delete(`c${cycle}`);
      phase(`c${cycle} gone by ${leaves[cycle]}`);
      await sleep(THIRD_DOWN_MS);
    }
    loading = false;
    const [appended, ...rest] = await load;
    const loadEnded = Date.now();
    // One fresh instance, alone, from offset 0 on its own read database (checked below).
    const soloGroup = `${groupId}-solo`;
    const solo = startQueryApi('solo', soloScratch.url, soloGroup);
    const httpCommands = rest.slice(3).reduce((sum, n) => sum + n, 0);
    const appendedTotal = appended + rest.slice(0, 3).reduce((sum, n) => sum + n, 0);

    // Drain: the relay publishes the rest, the two instances apply it.
    phase(`load stopped: ${appendedTotal} appended, ${httpCommands} HTTP commands`);
    const all = await eventHistory(writeDb);
    phase(`history read: ${all.length} events; ${await published()} published, ledger ${await ledgerCount(readDb)}`);
    try {
      await eventually(async () => (await published()) >= all.length, 60_000, 200);
    } catch (error) {
      const outbox = await writeDb.query(
        `SELECT count(*)::int AS unpublished, count(parked_at)::int AS parked, min(parked_reason) AS reason
           FROM outbox WHERE published_at IS NULL`,
      );
      const onKafka = await kafkaEventIds(await published());
      const missing = all.filter((event) => !onKafka.has(event.id));
      const twice = [...onKafka.entries()].filter(([, n]) => n > 1);
      const rows = await writeDb.query(
        `SELECT o.*, e.event_id, e.stream_type, e.stream_id, e.stream_version FROM outbox o
           JOIN events e ON e.position = o.event_position WHERE e.event_id = ANY($1)`,
        [missing.map((event) => event.id)],
      );
      const withoutOutboxRow = await writeDb.query(
        `SELECT e.position::text AS position, e.event_id, e.stream_type, e.event_type, e.stream_version
           FROM events e LEFT JOIN outbox o ON o.event_position = e.position WHERE o.id IS NULL`,
      );
      const diagnosis = {
        events: all.length,
        distinctInHistory: new Set(all.map((event) => event.id)).size,
        published: await published(),
        outbox,
        missingFromKafka: rows,
        missingIds: missing.map((event) => event.id),
        onKafkaTwice: twice,
        withoutOutboxRow,
      };
      throw new Error(`not all published: ${JSON.stringify(diagnosis)}\n${commandApi.output().slice(-3000)}`, {
        cause: error,
      });
    }
    try {
      await eventually(
        async () => (await behind(readDb, groupId)).length === 0 && (await ledgerCount(readDb)) === all.length,
        90_000,
        200,
      );
    } catch (error) {
      throw new Error(`not drained: ${JSON.stringify(await behind(readDb, groupId))}`, { cause: error });
    }
    const drainMs = Date.now() - loadEnded;
    phase('drained');
    const watched = await stopWatching();

    // No stalled partition, nothing dead-lettered or waiting, the ledger holds each event once.
    expect(await behind(readDb, groupId)).toEqual([]);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.dead_letters`)).toEqual([{ n: 0 }]);
    expect(await readDb.query(`SELECT count(*)::int AS n FROM read_model.pending_events`)).toEqual([{ n: 0 }]);
    const ledger: { event_id: string }[] = await readDb.query(`SELECT event_id FROM read_model.applied_events`);
    expect(ledger.length).toBe(all.length);
    expect(new Set(ledger.map((row) => row.event_id))).toEqual(new Set(all.map((event) => event.id)));
    // The read model is the fold of the whole history.
    const { checksum } = await expectConsistent(readDb, all);
    expect(canonicalState(await readModelSnapshot(readDb))).toEqual(canonicalState(foldHistory(all)));

    // The fresh single instance, from offset 0 on its own read database: the same state.
    await solo;
    await eventually(async () => (await behind(soloDb, soloGroup)).length === 0, 90_000, 200);
    const soloMs = Date.now() - loadEnded;
    expect(await expectConsistent(soloDb, all)).toEqual({ applied: all.length, checksum });

    const { outcomes } = watched;
    console.log(
      [
        `scale-out: ${all.length} events (${appendedTotal} appended at ~${APPEND_RATE}/s, ${httpCommands} HTTP commands) ` +
          `over ${((loadEnded - started) / 1000).toFixed(1)} s of load, ${eventTopics.length * 6} partitions`,
        `third instance joined ${CYCLES} times, left by ${leaves.join(', ')}; rebalances observed: >= ${watched.rebalances}`,
        `drained ${drainMs} ms after the load stopped: every checkpoint = high watermark, ledger = ${ledger.length} events once each`,
        `outcomes (all instances, killed ones up to their last scrape): ${JSON.stringify(outcomes)}`,
        `overlaps of two owners on one partition: ${watched.lockWaitSamples} samples of a transaction waiting on the ` +
          `other's checkpoint lock; ${outcomes.checkpointed ?? 0} messages found already applied inside the transaction`,
        `zombie: ${JSON.stringify(zombie)}`,
        `read model = fold of the history = a fresh single instance from offset 0 (${checksum}; ` +
          `it was there ${soloMs} ms after the load stopped)`,
      ].join('\n'),
    );
  }, 300_000);
});
