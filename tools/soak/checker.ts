/**
 * The soak's invariant checker: after the load and the chaos have stopped (and the system was given
 * a bounded time to converge), it proves, from the databases, an independent Kafka consumer and
 * the apps' health endpoints:
 *
 * - every acknowledged command's events are in the event store, on Kafka and applied;
 * - no event is applied twice; per-stream versions are contiguous in the store, on Kafka (in
 *   first-seen order) and in the projections;
 * - every projection row equals a fresh fold of the event history;
 * - no command left a partial write (event without outbox row or the reverse, write-model row out
 *   of step with its stream, unfinished idempotency claim);
 * - the apps never exited on their own, and both answer `/health/ready` with 200.
 *
 * It returns a summary and the list of violations (empty when every invariant holds).
 */
import { parseJson } from '@analytics/json';
import { STREAM_TYPES } from '@analytics/contracts';
import { toEnvelope, toRecordedEvent } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Queryable, useSafeJsonParsing } from '@analytics/persistence';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import { EventDecoder } from '../../apps/query-api/src/projections/event-decoder';
import { foldHistory } from '../../apps/query-api/src/projections/fold-history';
import { ProjectedEvent } from '../../apps/query-api/src/projections/projected-event';
import { WRITE_MODELS } from '../../test/command-endpoints';
import { canonicalState, readModelSnapshot } from '../../test/harness/read-model-snapshot';
import { UnexpectedExit } from './apps';
import { Ack } from './load';

export interface CheckInput {
  writeDatabaseUrl: string;
  readDatabaseUrl: string;
  brokers: string[];
  topicPrefix: string;
  acks: Ack[];
  commandApiUrl: string;
  queryApiUrl: string;
  unexpectedExits: UnexpectedExit[];
  /** How long the system may take to publish and apply everything after the chaos (default 120 s). */
  convergeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CheckSummary {
  acknowledged: number;
  ackedStreams: number;
  events: number;
  published: number;
  kafkaMessages: number;
  /** Redeliveries on Kafka (at least once: allowed, reported). */
  kafkaRedeliveries: number;
  applied: number;
  /** Events whose effect was applied more than once (ledger rows beyond the stream's versions). */
  duplicates: number;
  missing: { ackedNotStored: number; storedNotPublished: number; storedNotApplied: number };
  versionGaps: { store: number; kafka: number; projections: number };
  divergentRows: number;
  partialWrites: Record<string, number>;
  pendingEvents: number;
  deadLetters: number;
  unexpectedExits: number;
  ready: { commandApi: number; queryApi: number };
  convergedInMs: number | null;
}

export interface CheckResult {
  summary: CheckSummary;
  violations: string[];
}

const rowsOf = (client: Client): Queryable => ({
  query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows,
});

async function connect(url: string): Promise<Client> {
  // The checker reads events and read models as the apps do: its own reading must not alter keys.
  useSafeJsonParsing();
  const client = new Client({ connectionString: url, application_name: 'soak-checker' });
  await client.connect();
  return client;
}

async function count(client: Client, sql: string): Promise<number> {
  return (await client.query<{ n: number }>(sql)).rows[0].n;
}

async function readyStatus(baseUrl: string): Promise<number> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Every message of the topics, read by a consumer group of our own up to the high watermarks. */
async function readAllMessages(brokers: string[], topics: string[], timeoutMs: number) {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'soak-checker' });
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > 0n) remaining.set(`${topic}:${partition}`, BigInt(high));
    }
  }
  await admin.disconnect();
  const messages: { id: string; streamId: string; streamVersion: number }[] = [];
  const consumer = kafka.consumer({ groupId: `soak-checker-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  if (remaining.size === 0) done();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const key = `${batch.topic}:${batch.partition}`;
        const high = remaining.get(key);
        if (high === undefined || BigInt(message.offset) >= high) continue;
        try {
          const envelope = parseJson(message.value?.toString() ?? 'null') as {
            id: string;
            streamId: string;
            streamVersion: number;
          };
          messages.push({ id: envelope.id, streamId: envelope.streamId, streamVersion: envelope.streamVersion });
        } catch {
          messages.push({ id: `unparsable@${key}:${message.offset}`, streamId: '', streamVersion: 0 });
        }
        if (BigInt(message.offset) >= high - 1n) {
          remaining.delete(key);
          if (remaining.size === 0) done();
        }
      }
    },
  });
  const timedOut = await Promise.race([
    finished.then(() => false),
    sleep(timeoutMs, undefined, { ref: false }).then(() => true),
  ]);
  await consumer.disconnect();
  return { messages, complete: !timedOut };
}

/** Versions 1..n without a gap or a repeat, in the given order. */
const contiguous = (versions: number[]) => versions.every((version, index) => version === index + 1);

export async function checkInvariants(input: CheckInput): Promise<CheckResult> {
  const log = input.log ?? (() => undefined);
  const violations: string[] = [];
  const writeDb = await connect(input.writeDatabaseUrl);
  const readDb = await connect(input.readDatabaseUrl);
  try {
    // 1. Convergence: the relay publishes the backlog, the projections apply it (bounded wait).
    const started = Date.now();
    let convergedInMs: number | null = null;
    const deadline = started + (input.convergeTimeoutMs ?? 120_000);
    let lastReport = 0;
    while (Date.now() < deadline) {
      const events = await count(writeDb, `SELECT count(*)::int AS n FROM events`);
      const unpublished = await count(writeDb, `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
      const applied = await count(readDb, `SELECT count(*)::int AS n FROM read_model.applied_events`);
      if (unpublished === 0 && applied >= events) {
        convergedInMs = Date.now() - started;
        break;
      }
      if (Date.now() - lastReport > 5_000) {
        log(`converging: ${events} events, ${unpublished} unpublished, ${applied} applied`);
        lastReport = Date.now();
      }
      await sleep(250);
    }
    if (convergedInMs === null) violations.push('the system did not converge (publish + apply everything) in time');

    // 2. The event store.
    const { rows: eventRows } = await writeDb.query(
      `SELECT position::text AS position, event_id, stream_type, stream_id, stream_version, event_type,
              schema_version, data, metadata, occurred_at
         FROM events ORDER BY position`,
    );
    const recorded = eventRows.map(toRecordedEvent);
    const storedIds = new Set(recorded.map((event) => event.eventId));
    const storedAt = new Set(recorded.map((event) => `${event.streamId}@${event.streamVersion}`));
    const storeVersions = new Map<string, number[]>();
    for (const event of [...recorded].sort((a, b) => a.streamVersion - b.streamVersion)) {
      storeVersions.set(event.streamId, [...(storeVersions.get(event.streamId) ?? []), event.streamVersion]);
    }
    const storeGaps = [...storeVersions.entries()].filter(([, versions]) => !contiguous(versions));
    if (storeGaps.length > 0) violations.push(`${storeGaps.length} streams with a version gap in the event store`);

    const ackedNotStored = input.acks.filter((ack) => !storedAt.has(`${ack.id}@${ack.version}`));
    if (ackedNotStored.length > 0) {
      violations.push(
        `${ackedNotStored.length} acknowledged commands not in the event store, e.g. ${JSON.stringify(ackedNotStored.slice(0, 3))}`,
      );
    }

    // 3. Partial writes on the write side.
    const { rows: orphanRows } = await writeDb.query(
      `SELECT (SELECT count(*)::int FROM events e WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_position = e.position)) AS events_without_outbox,
              (SELECT count(*)::int FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.position = o.event_position)) AS outbox_without_event,
              (SELECT count(*)::int FROM idempotency_records WHERE response_status = 0) AS unfinished_idempotency_claims`,
    );
    const partialWrites: Record<string, number> = { ...orphanRows[0] };
    for (const [streamType, table] of Object.entries(WRITE_MODELS)) {
      const { rows } = await writeDb.query(
        `SELECT count(*)::int AS n
           FROM (SELECT stream_id, max(stream_version) AS version FROM events WHERE stream_type = $1 GROUP BY stream_id) s
           FULL OUTER JOIN ${table} w ON w.id::text = s.stream_id
          WHERE s.version IS DISTINCT FROM w.version`,
        [streamType],
      );
      partialWrites[`${table}_out_of_step`] = rows[0].n;
    }
    for (const [what, n] of Object.entries(partialWrites)) {
      if (n > 0) violations.push(`partial write: ${n} ${what}`);
    }

    // 4. Kafka, through an independent consumer.
    const topics = STREAM_TYPES.map((type) => new TopicNames(input.topicPrefix).eventsOf(type));
    const kafka = await readAllMessages(input.brokers, topics, 60_000);
    if (!kafka.complete) violations.push('the independent consumer did not read the topics to their end in 60 s');
    const publishedIds = new Set(kafka.messages.map((message) => message.id));
    const storedNotPublished = recorded.filter((event) => !publishedIds.has(event.eventId));
    if (storedNotPublished.length > 0) violations.push(`${storedNotPublished.length} stored events not on Kafka`);
    const notStored = [...publishedIds].filter((id) => !storedIds.has(id));
    if (notStored.length > 0) violations.push(`${notStored.length} messages on Kafka that are not in the event store`);
    const firstSeen = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const message of kafka.messages) {
      const key = `${message.streamId}@${message.streamVersion}`;
      if (seen.has(key)) continue;
      seen.add(key);
      firstSeen.set(message.streamId, [...(firstSeen.get(message.streamId) ?? []), message.streamVersion]);
    }
    const kafkaGaps = [...storeVersions.keys()].filter((streamId) => !contiguous(firstSeen.get(streamId) ?? []));
    if (kafkaGaps.length > 0) {
      violations.push(
        `${kafkaGaps.length} streams out of order or with a gap on Kafka, e.g. ${kafkaGaps
          .slice(0, 3)
          .map((id) => `${id}: ${JSON.stringify(firstSeen.get(id))}`)
          .join('; ')}`,
      );
    }

    // 5. The projections: applied once each, contiguous per stream, equal to a fresh fold.
    const { rows: ledger } = await readDb.query<{ event_id: string; stream_id: string; stream_version: number }>(
      `SELECT event_id, stream_id, stream_version FROM read_model.applied_events`,
    );
    const appliedIds = new Set(ledger.map((row) => row.event_id));
    const storedNotApplied = recorded.filter((event) => !appliedIds.has(event.eventId));
    if (storedNotApplied.length > 0) violations.push(`${storedNotApplied.length} stored events not applied`);
    const appliedNotStored = [...appliedIds].filter((id) => !storedIds.has(id));
    if (appliedNotStored.length > 0) violations.push(`${appliedNotStored.length} applied events not in the store`);
    const appliedVersions = new Map<string, number[]>();
    for (const row of [...ledger].sort((a, b) => a.stream_version - b.stream_version)) {
      appliedVersions.set(row.stream_id, [...(appliedVersions.get(row.stream_id) ?? []), row.stream_version]);
    }
    const duplicates = [...appliedVersions.values()].reduce(
      (sum, versions) => sum + versions.length - new Set(versions).size,
      ledger.length - appliedIds.size,
    );
    if (duplicates > 0) violations.push(`${duplicates} events applied more than once`);
    const { rows: streamVersionRows } = await readDb.query<{ stream_id: string; version: number }>(
      `SELECT stream_id, version FROM read_model.stream_versions`,
    );
    let projectionGaps = [...appliedVersions.values()].filter((versions) => !contiguous(versions)).length;
    for (const { stream_id, version } of streamVersionRows) {
      if ((appliedVersions.get(stream_id)?.length ?? 0) !== version) projectionGaps++;
    }
    if (projectionGaps > 0) violations.push(`${projectionGaps} streams with a version gap in the projections`);
    const pendingEvents = await count(readDb, `SELECT count(*)::int AS n FROM read_model.pending_events`);
    const deadLetters = await count(readDb, `SELECT count(*)::int AS n FROM read_model.dead_letters`);
    if (pendingEvents > 0) violations.push(`${pendingEvents} events still pending in the projections`);
    if (deadLetters > 0) violations.push(`${deadLetters} dead letters`);

    const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });
    const history: ProjectedEvent[] = [];
    for (const event of recorded) {
      const decoded = decoder.decode(JSON.stringify(toEnvelope(event)), event.streamType);
      if (!decoded.ok) violations.push(`stored event ${event.eventId} does not decode: ${decoded.detail}`);
      else history.push(decoded.event);
    }
    // JSON round trip: dates as strings, undefined members dropped (as the API would show them);
    // parseJson, not JSON.parse, which could misread escaped keys on both sides alike.
    const plain = (value: unknown) => parseJson(JSON.stringify(value)) as Record<string, Record<string, unknown>>;
    const folded = plain(canonicalState(foldHistory(history)));
    const actual = plain(canonicalState(await readModelSnapshot(rowsOf(readDb))));
    let divergentRows = 0;
    const divergentExamples: string[] = [];
    for (const table of Object.keys(folded)) {
      const keys = new Set([...Object.keys(folded[table]), ...Object.keys(actual[table] ?? {})]);
      for (const key of keys) {
        if (!isDeepStrictEqual(folded[table][key], actual[table]?.[key])) {
          divergentRows++;
          if (divergentExamples.length < 3) {
            divergentExamples.push(
              `${table}/${key}: projected ${JSON.stringify(actual[table]?.[key])} != folded ${JSON.stringify(folded[table][key])}`,
            );
          }
        }
      }
    }
    if (divergentRows > 0) {
      violations.push(`${divergentRows} read-model rows differ from the fold: ${divergentExamples.join(' | ')}`);
    }

    // 6. The apps: no exit of their own; ready at the end (a restart may have just happened).
    for (const exit of input.unexpectedExits) {
      violations.push(
        `${exit.app} exited on its own (code ${exit.code}, signal ${exit.signal}): ${exit.tail.slice(-600)}`,
      );
    }
    const ready = { commandApi: 0, queryApi: 0 };
    const readyDeadline = Date.now() + 30_000;
    do {
      ready.commandApi = await readyStatus(input.commandApiUrl);
      ready.queryApi = await readyStatus(input.queryApiUrl);
      if (ready.commandApi === 200 && ready.queryApi === 200) break;
      await sleep(500);
    } while (Date.now() < readyDeadline);
    if (ready.commandApi !== 200) violations.push(`command-api /health/ready is ${ready.commandApi}`);
    if (ready.queryApi !== 200) violations.push(`query-api /health/ready is ${ready.queryApi}`);

    const summary: CheckSummary = {
      acknowledged: input.acks.length,
      ackedStreams: new Set(input.acks.map((ack) => ack.id)).size,
      events: recorded.length,
      published: publishedIds.size,
      kafkaMessages: kafka.messages.length,
      kafkaRedeliveries: kafka.messages.length - publishedIds.size,
      applied: appliedIds.size,
      duplicates,
      missing: {
        ackedNotStored: ackedNotStored.length,
        storedNotPublished: storedNotPublished.length,
        storedNotApplied: storedNotApplied.length,
      },
      versionGaps: { store: storeGaps.length, kafka: kafkaGaps.length, projections: projectionGaps },
      divergentRows,
      partialWrites,
      pendingEvents,
      deadLetters,
      unexpectedExits: input.unexpectedExits.length,
      ready,
      convergedInMs,
    };
    return { summary, violations };
  } finally {
    await writeDb.end().catch(() => undefined);
    await readDb.end().catch(() => undefined);
  }
}

/** The summary as the checker prints it. */
export function formatCheck({ summary, violations }: CheckResult): string {
  const lines = [
    '=== fault soak: invariant check',
    `acknowledged commands   ${summary.acknowledged} (on ${summary.ackedStreams} streams)`,
    `events in the store     ${summary.events}`,
    `published (distinct)    ${summary.published} (${summary.kafkaMessages} messages, ${summary.kafkaRedeliveries} redelivered)`,
    `applied                 ${summary.applied}`,
    `duplicates (applied 2x) ${summary.duplicates}`,
    `missing                 acked-not-stored ${summary.missing.ackedNotStored}, stored-not-published ${summary.missing.storedNotPublished}, stored-not-applied ${summary.missing.storedNotApplied}`,
    `version gaps            store ${summary.versionGaps.store}, kafka ${summary.versionGaps.kafka}, projections ${summary.versionGaps.projections}`,
    `divergent rows          ${summary.divergentRows}`,
    `partial writes          ${Object.entries(summary.partialWrites)
      .map(([what, n]) => `${what} ${n}`)
      .join(', ')}`,
    `pending / dead letters  ${summary.pendingEvents} / ${summary.deadLetters}`,
    `unexpected app exits    ${summary.unexpectedExits}`,
    `/health/ready at end    command-api ${summary.ready.commandApi}, query-api ${summary.ready.queryApi}`,
    `converged after chaos   ${summary.convergedInMs === null ? 'NO' : `${(summary.convergedInMs / 1000).toFixed(1)} s`}`,
    violations.length === 0 ? 'RESULT: PASS (0 violations)' : `RESULT: FAIL (${violations.length} violations)`,
    ...violations.map((violation) => `  - ${violation}`),
  ];
  return lines.join('\n');
}
