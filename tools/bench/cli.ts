/**
 * `npm run bench [-- options]`: our write side against baselines, side by side (see README,
 * "Benchmarks"). Not part of `npm test`.
 *
 *   --quick              short runs that prove the harness works (figures are not meaningful)
 *   --rounds N           rounds per figure (default 3)
 *   --only a,b           figures by id prefix (command, event-store, outbox, query, lag, projection, rebuild)
 *   --events N           events of history of the projection and rebuild figures (default 10,000 quick, 50,000 full)
 *   --out DIR            where the JSON and SVG go (default bench/results)
 *   --no-quiet-wait      do not wait for a quiet machine before each side of a round
 *
 * Services: DATABASE_URL (any database on the server; the bench creates and drops its own
 * `bench_<runid>_*` databases), KAFKA_BROKERS (topics `bench.<runid>.*`, deleted at the end).
 * Without KAFKA_BROKERS the project's own broker is used, started for the run (and stopped after
 * it) when it is not running already, as `npm test` does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { kafkaForRun } from '../kafka/kafka-broker';
import { Figure } from './figure';
import { CachedQueryFigure } from './figures/cached-query';
import { CommandThroughputFigure } from './figures/command-throughput';
import { EventStoreAppendFigure } from './figures/event-store-append';
import { OutboxRelayFigure } from './figures/outbox-relay';
import { ProjectionApplyFigure } from './figures/projection-apply';
import { ProjectionRebuildFigure } from './figures/projection-rebuild';
import { WriteToReadLagFigure } from './figures/write-to-read-lag';
import { BenchContext, FULL, QUICK } from './lib/context';
import { renderSvg, renderTable } from './report';
import { FigureReport, runFigure } from './runner';

const FIGURES: { id: string; make: () => Figure }[] = [
  { id: 'command', make: () => new CommandThroughputFigure() },
  { id: 'event-store', make: () => new EventStoreAppendFigure() },
  { id: 'outbox', make: () => new OutboxRelayFigure() },
  { id: 'query', make: () => new CachedQueryFigure() },
  { id: 'lag', make: () => new WriteToReadLagFigure() },
  { id: 'projection', make: () => new ProjectionApplyFigure() },
  { id: 'rebuild', make: () => new ProjectionRebuildFigure() },
];

async function main() {
  silenceKafkajsNegativeTimeoutWarning();
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      quick: { type: 'boolean', default: false },
      'quiet-wait': { type: 'boolean', default: true },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      events: { type: 'string' },
      out: { type: 'string', default: join(__dirname, '..', '..', 'bench', 'results') },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const options = { quick: values.quick, rounds, quietWait: values['quiet-wait'], ...(values.quick ? QUICK : FULL) };
  if (values.events !== undefined) {
    options.historyEvents = Number(values.events);
    if (!Number.isInteger(options.historyEvents) || options.historyEvents < 100)
      throw new Error('--events must be an integer of at least 100');
  }
  const wanted = values.only?.split(',').map((name) => name.trim());
  const selected = FIGURES.filter(({ id }) => !wanted || wanted.some((name) => id.startsWith(name)));
  if (selected.length === 0) throw new Error(`--only matches no figure (${FIGURES.map(({ id }) => id).join(', ')})`);

  const kafka = await kafkaForRun();
  const ctx = new BenchContext(
    options,
    process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    kafka.brokers,
  );
  const started = new Date();
  const machine = {
    cpus: cpus().length,
    loadavgAtStart: loadavg(),
    node: process.version,
    postgres: await serverVersion(ctx),
  };
  ctx.progress(
    `run ${ctx.runId}: ${selected.map(({ id }) => id).join(', ')}, ${rounds} rounds${values.quick ? ' (quick)' : ''}`,
  );
  ctx.progress(`machine: ${machine.cpus} cores, load ${machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}`);

  const reports: FigureReport[] = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    ctx.progress('interrupted: cleaning up');
    void ctx
      .cleanup()
      .then(() => kafka.release())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    for (const { make } of selected) {
      if (interrupted) break;
      reports.push(await runFigure(make(), ctx));
    }
  } finally {
    await ctx.cleanup(reports.some((report) => report.error));
    await kafka.release();
  }

  const stamp = started.toISOString().replace(/:/g, '').replace(/\..*/, '');
  const name = `${stamp}${values.quick ? '-quick' : ''}`;
  mkdirSync(values.out!, { recursive: true });
  const record = {
    date: started.toISOString(),
    runId: ctx.runId,
    options,
    machine: { ...machine, loadavgAtEnd: loadavg() },
    figures: reports,
  };
  const jsonFile = join(values.out!, `${name}.json`);
  const svgFile = join(values.out!, `${name}.svg`);
  writeFileSync(jsonFile, `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(
    svgFile,
    renderSvg(
      reports,
      `Write side vs baselines, ${started.toISOString().slice(0, 16)}${values.quick ? ' (quick)' : ''}`,
    ),
  );
  process.stdout.write(`\n${renderTable(reports)}\n\nwrote ${jsonFile}\nwrote ${svgFile}\n`);
  if (reports.some((report) => report.error)) process.exitCode = 1;
}

async function serverVersion(ctx: BenchContext): Promise<string> {
  const client = new Client({ connectionString: ctx.databaseUrl('postgres') });
  await client.connect();
  try {
    return (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  } finally {
    await client.end();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
