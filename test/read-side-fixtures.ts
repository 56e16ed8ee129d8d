import { appendToStream, readEventFeed, toEnvelope } from '@analytics/event-store';
import { TopicNames } from '@analytics/messaging';
import { Queryable } from '@analytics/persistence';
import { canonicalState, readModelSnapshot, sample, SampleEvent } from '@analytics/testing';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventDecoder } from '../apps/query-api/src/projections/event-decoder';
import { foldHistory } from '../apps/query-api/src/projections/fold-history';
import { ProjectedEvent } from '../apps/query-api/src/projections/projected-event';

/**
 * Read-side e2e helpers shared by the spec files: the write database's full history as the
 * projections see it, and the checks that a read database is the fold of what its ledger says
 * it applied.
 */

const decoder = new EventDecoder({ maxBytes: 1024 * 1024 });

/**
 * Every event in the write database, as the projections read them. The feed holds back events
 * behind a still-running transaction (the relay's, say): read on until it has them all.
 */
export async function eventHistory(writeDb: Queryable): Promise<ProjectedEvent[]> {
  const [{ total }] = await writeDb.query(`SELECT count(*)::int AS total FROM events`);
  const events: ProjectedEvent[] = [];
  for (let after = '0'; events.length < total;) {
    const page = await readEventFeed(writeDb, { after, limit: 5000 });
    if (page.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    for (const recorded of page) {
      const result = decoder.decode(JSON.stringify(toEnvelope(recorded)), recorded.streamType);
      if (!result.ok) throw new Error(`${recorded.eventId}: ${result.detail}`);
      events.push(result.event);
    }
    after = page[page.length - 1].position;
  }
  return events;
}

/** How many events the read database's ledger says it applied. */
export async function ledgerCount(readDb: Queryable): Promise<number> {
  return (await readDb.query(`SELECT count(*)::int AS n FROM read_model.applied_events`))[0].n as number;
}

/** A short digest of a canonical read-model state (the same for equal states). */
export function checksumOf(state: ReturnType<typeof canonicalState>): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 16);
}

/**
 * The read model equals the fold of exactly the events in its ledger, each applied once, in
 * stream order. Returns how many were applied and the read model's checksum.
 *
 * Ledger and read model are read in ONE snapshot: a process killed just after it sent a COMMIT
 * leaves a backend that may still commit a moment later, between two separate reads.
 */
export function expectConsistent(
  readDb: DataSource,
  all: ProjectedEvent[],
): Promise<{ applied: number; checksum: string }> {
  return readDb.transaction('REPEATABLE READ', (tx) => expectConsistentIn(tx, all));
}

async function expectConsistentIn(
  readDb: Queryable,
  all: ProjectedEvent[],
): Promise<{ applied: number; checksum: string }> {
  const ledger: { event_id: string }[] = await readDb.query(`SELECT event_id FROM read_model.applied_events`);
  const applied = new Set(ledger.map((row) => row.event_id));
  const folded = canonicalState(foldHistory(all.filter((event) => applied.has(event.id))));
  const actual = canonicalState(await readModelSnapshot(readDb));
  expect(actual).toEqual(folded);
  // Each stream's applied events are exactly versions 1..n (a prefix, none twice, none skipped).
  const gaps = await readDb.query(
    `SELECT s.stream_id, s.version, count(a.event_id)::int AS applied, max(a.stream_version) AS highest
       FROM read_model.stream_versions s
       LEFT JOIN read_model.applied_events a ON a.stream_type = s.stream_type AND a.stream_id = s.stream_id
      GROUP BY s.stream_id, s.version
     HAVING count(a.event_id) <> s.version OR coalesce(max(a.stream_version), 0) <> s.version`,
  );
  expect(gaps).toEqual([]);
  return { applied: applied.size, checksum: checksumOf(actual) };
}

/**
 * Writes about `target` contract-valid events over many clients (`<clientPrefix>-<n>`), straight
 * into the event store, 16 transactions at a time; returns how many it wrote.
 */
export async function writeHistory(
  writeDb: DataSource,
  topics: TopicNames,
  target: number,
  clientPrefix: string,
): Promise<number> {
  const perClient = 3 + 10 * 3 + 10 * 4;
  const clients = Math.max(1, Math.round(target / perClient));
  let written = 0;
  const append = async (streamType: string, events: SampleEvent[]) => {
    await writeDb.transaction((tx) =>
      appendToStream(tx, {
        streamType,
        streamId: randomUUID(),
        expectedVersion: 0,
        events,
        topic: topics.eventsOf(streamType),
      }),
    );
    written += events.length;
  };
  const jobs: (() => Promise<void>)[] = [];
  for (let c = 0; c < clients; c++) {
    const clientId = `${clientPrefix}-${c}`;
    jobs.push(() =>
      append('client-config', [
        sample.clientCreated(clientId),
        sample.flagSet('a', true),
        sample.flagSet('b', c % 2 === 0),
      ]),
    );
    for (let p = 0; p < 10; p++) {
      jobs.push(() =>
        append('connector-profile', [
          sample.connectorRegistered(clientId, `profile-${p}`, p % 3 === 0 ? 'sftp' : 'postgres'),
          sample.connectorUpdated({ tags: [`t${p % 4}`] }),
          p % 2 === 0 ? sample.connectorDisabled() : sample.connectorArchived(),
        ]),
      );
      jobs.push(() =>
        append('service-proposal', [
          sample.proposalDrafted(clientId, [[p + 1, 1_000 * (c + 1)]]),
          sample.proposalRevised([[p + 2, 999_999_999_999]]),
          sample.proposalSubmitted(),
          p % 3 === 0 ? sample.proposalRejected() : sample.proposalAccepted(),
        ]),
      );
    }
  }
  for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((job) => job()));
  return written;
}
