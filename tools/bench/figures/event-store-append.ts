/**
 * Event store append: events/s appended by N concurrent writers, each on its own stream, one event
 * per append with the expected version (what a command does), as library calls (no HTTP).
 *
 * Ours: `appendToStream` of libs/event-store (event row and outbox row in one statement, outside
 * an explicit transaction), over a pg pool of N connections wrapped in `PreparedStatements`, as
 * the command path runs it (CommandExecutor): a named prepared statement per connection, parsed
 * and planned once, not per append. (Until 2026-12-01 the figure called it on the bare pool, with
 * unnamed statements planned on every append: planning was more than half of its Postgres time,
 * a cost the app does not pay.)
 * Baseline: Emmett's PostgreSQL event store (`getPostgreSQLEventStore(url).appendToStream`), its own
 * database on the same server, the same events, the same pool size. Emmett writes no outbox row
 * (its consumers poll the message table); ours does: that is part of what is compared.
 */
import { getPostgreSQLEventStore, PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { appendToStream } from '@analytics/event-store';
import { PreparedStatements } from '@analytics/persistence';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Figure, SideResult } from '../figure';
import { BenchContext } from '../lib/context';
import { migrateCommandApi } from '../lib/command-api';
import { CpuMeter, CpuProbe, postgresBackendsProbe, postgresClusterProbe, selfProbe } from '../lib/cpu';
import { eventMetadata, SETTINGS } from '../lib/payloads';

const EVENT_TYPE = 'client-config.settings-changed';
const data = () => ({ patch: { theme: 'light' }, settings: { ...SETTINGS, theme: 'light' } });

export class EventStoreAppendFigure implements Figure {
  readonly name = 'event store append';
  readonly description = {
    ours: 'appendToStream (libs/event-store) as prepared statements, N writers on distinct streams, 1 event per append',
    baseline: "Emmett's PostgreSQL event store appendToStream, same events, writers and pool size",
  };
  readonly metrics = [
    { key: 'append', label: 'event store append', unit: 'events/s', better: 'higher', floor: 1.0, goal: 1.5 } as const,
  ];

  private ours = { url: '', name: '' };
  private emmettDb = { url: '', name: '' };
  private pool?: Pool;
  private prepared?: PreparedStatements;
  private emmett?: PostgresEventStore;
  private cluster?: CpuProbe;
  private topic = '';
  private readonly connectionsSeen = { ours: 0, emmett: 0 };

  async prepare(ctx: BenchContext): Promise<void> {
    const writers = ctx.options.writers;
    this.ours = await ctx.createDatabase('es_ours');
    this.emmettDb = await ctx.createDatabase('es_emmett');
    migrateCommandApi(this.ours.url);
    this.topic = `${ctx.topicPrefix}analytics.client-config.events`;
    this.pool = new Pool({ connectionString: this.ours.url, max: writers });
    // pg-pool's end() resolves before its idle clients' connections are closed: cleanup's DROP
    // DATABASE ... WITH (FORCE) could then terminate one, and the pool re-emits that client's
    // FATAL error as its own 'error' event, which, with no listener, ended the bench process.
    // A failing query rejects anyway; the listener only keeps such an error from being unhandled.
    this.pool.on('error', () => undefined);
    this.prepared = new PreparedStatements(this.pool);
    // Emmett hands its connection options to pg.Pool: the same pool size as ours.
    this.emmett = getPostgreSQLEventStore(this.emmettDb.url, {
      connectionOptions: { max: writers } as never,
    });
    // Emmett creates its schema on first use: do that before anything is timed.
    await this.emmett.appendToStream(`warmup-${randomUUID()}`, [{ type: EVENT_TYPE, data: data() }]);
    this.cluster = await postgresClusterProbe(ctx.databaseUrl('postgres'));
    ctx.progress(`event store append: ${writers} writers, pools of ${writers} connections`);
  }

  async runOurs(ctx: BenchContext, round: number): Promise<SideResult> {
    const db = this.prepared!;
    return this.measure(ctx, this.ours.name, 'bench process (ours, library)', async (writer, phase) => {
      const streamId = `w${writer}-r${round}-${phase}-${randomUUID()}`;
      let version = 0;
      return async () => {
        const result = await appendToStream(db, {
          streamType: 'client-config',
          streamId,
          expectedVersion: version,
          events: [
            {
              type: EVENT_TYPE,
              schemaVersion: 1,
              data: data(),
              metadata: eventMetadata(randomUUID(), `bench-${ctx.runId}`),
            },
          ],
          topic: this.topic,
        });
        version = result.version;
      };
    });
  }

  async runBaseline(ctx: BenchContext, round: number): Promise<SideResult> {
    const emmett = this.emmett!;
    return this.measure(ctx, this.emmettDb.name, 'bench process (Emmett, library)', async (writer, phase) => {
      const streamName = `client-config-w${writer}-r${round}-${phase}-${randomUUID()}`;
      let version = 0n;
      return async () => {
        const result = await emmett.appendToStream(
          streamName,
          [{ type: EVENT_TYPE, data: data(), metadata: eventMetadata(randomUUID(), `bench-${ctx.runId}`) }],
          { expectedStreamVersion: version },
        );
        version = result.nextExpectedStreamVersion;
      };
    });
  }

  async teardown(): Promise<void> {
    await this.pool?.end();
    await this.emmett?.close();
  }

  notes(): string[] {
    return [
      'event store append: one event per append with the expected version; Emmett keeps a streams table, ours writes an outbox row',
      `event store append: server connections open after the last round: ours ${this.connectionsSeen.ours}, Emmett ${this.connectionsSeen.emmett}`,
    ];
  }

  /** Warms up, then runs `writers` loops of `append` for the duration and counts the events. */
  private async measure(
    ctx: BenchContext,
    database: string,
    selfLabel: string,
    writerOf: (writer: number, phase: string) => Promise<() => Promise<void>>,
  ): Promise<SideResult> {
    const writers = ctx.options.writers;
    const loop = async (append: () => Promise<void>, until: number) => {
      let count = 0;
      while (performance.now() < until) {
        await append();
        count += 1;
      }
      return count;
    };
    const warmup = performance.now() + 500;
    await Promise.all(Array.from({ length: writers }, async (_, w) => loop(await writerOf(w, 'warmup'), warmup)));
    const appenders = await Promise.all(Array.from({ length: writers }, (_, w) => writerOf(w, 'measure')));
    const meter = new CpuMeter([
      selfProbe(selfLabel),
      postgresBackendsProbe(ctx.databaseUrl('postgres'), database),
      ...(this.cluster ? [this.cluster] : []),
    ]);
    await meter.start();
    const started = performance.now();
    const until = started + ctx.options.durationSeconds * 1000;
    const counts = await Promise.all(appenders.map((append) => loop(append, until)));
    const elapsed = performance.now() - started;
    const events = counts.reduce((a, b) => a + b, 0);
    const cpu = await meter.stop(events);
    // Evidence that both sides really ran with the same number of server connections.
    const connections = await this.connectionsTo(database);
    this.connectionsSeen[database === this.ours.name ? 'ours' : 'emmett'] = connections;
    return { append: { value: (events * 1000) / elapsed, operations: events, cpu, details: { writers, connections } } };
  }

  private async connectionsTo(database: string): Promise<number> {
    const { rows } = await this.pool!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
      [database],
    );
    return rows[0].n;
  }
}
