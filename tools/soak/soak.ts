/**
 * The fault soak, programmatically: own Postgres, Redis and Kafka; both apps as supervised
 * processes; the load generator and the chaos script for `durationMs`; then the invariant checker.
 * Everything it started is stopped again, also on failure (and by `cleanup()` on Ctrl-C).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/harness/app-process';
import { SupervisedApp } from './apps';
import { ChaosScript, FaultKind, FaultRecord } from './chaos';
import { checkInvariants, CheckResult, formatCheck } from './checker';
import { KafkaBroker, Log, PostgresCluster, RedisServer } from './cluster';
import { LoadGenerator, LoadStats } from './load';

export interface SoakOptions {
  durationMs: number;
  /** Command workers (default 4) and their pause between commands (default 40 ms). */
  concurrency?: number;
  pauseMs?: number;
  /** How long each fault is held (default 2-5 s) and the quiet gap after it (default 3-6 s). */
  holdMs?: [number, number];
  gapMs?: [number, number];
  kinds?: FaultKind[];
  convergeTimeoutMs?: number;
  /** Keep the run folder (logs, ack log) after a passing run (it is always kept after a failure). */
  keepFiles?: boolean;
  log?: Log;
}

export interface SoakResult extends CheckResult {
  load: LoadStats;
  faults: FaultRecord[];
  restarts: { commandApi: number; queryApi: number };
  runDir: string;
  report: string;
}

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];

/** Stops whatever a running soak started (for signal handlers); safe to call twice. */
export async function cleanupSoak(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log: Log = options.log ?? ((line) => process.stderr.write(`[soak] ${line}\n`));
  const runDir = mkdtempSync(join(tmpdir(), 'analytics-soak-'));
  // Traversable by the `postgres` user, who owns the cluster when we run as root.
  chmodSync(runDir, 0o711);
  const localCleanups: Cleanup[] = [];
  const onCleanup = (cleanup: Cleanup) => {
    localCleanups.push(cleanup);
    cleanups.push(cleanup);
  };
  let passed = false;
  log(`run folder ${runDir}`);
  try {
    const postgres = new PostgresCluster(join(runDir, 'postgres'), await freePort(), log);
    mkdirSync(postgres.root, { recursive: true });
    onCleanup(() => postgres.stop());
    await postgres.start();
    const redis = new RedisServer(await freePort(), log);
    onCleanup(() => redis.close());
    await redis.start();
    const kafka = new KafkaBroker(await freePort(), await freePort(), join(runDir, 'kafka'), () => undefined);
    onCleanup(() => kafka.close());
    await kafka.start();
    log(`redis on ${redis.port}, kafka on ${kafka.brokers}`);

    const writeDatabaseUrl = await postgres.createDatabase('soak_write');
    const readDatabaseUrl = await postgres.createDatabase('soak_read');
    const topicPrefix = 'soak.';
    const shared = {
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'warn',
      LOG_PRETTY: 'false',
      NODE_ENV: 'development',
    };
    const commandApi = new SupervisedApp(
      'command-api',
      await freePort(),
      { ...shared, DATABASE_URL: writeDatabaseUrl },
      join(runDir, 'command-api.log'),
      log,
    );
    const queryApi = new SupervisedApp(
      'query-api',
      await freePort(),
      {
        ...shared,
        DATABASE_URL: readDatabaseUrl,
        READ_DATABASE_URL: readDatabaseUrl,
        REDIS_URL: redis.url,
        PROJECTIONS_SESSION_TIMEOUT_MS: '6000',
      },
      join(runDir, 'query-api.log'),
      log,
    );
    onCleanup(() => commandApi.stop());
    onCleanup(() => queryApi.stop());
    await commandApi.migrate();
    await queryApi.migrate();
    await Promise.all([commandApi.start(), queryApi.start()]);
    log(`command-api ${commandApi.baseUrl}, query-api ${queryApi.baseUrl}`);

    const load = new LoadGenerator(commandApi.baseUrl, queryApi.baseUrl, join(runDir, 'acks.jsonl'), {
      concurrency: options.concurrency ?? 4,
      pauseMs: options.pauseMs ?? 40,
    });
    await load.createFixtures();
    const chaos = new ChaosScript({ postgres, redis, kafka, commandApi, queryApi }, log, {
      holdMs: options.holdMs ?? [2_000, 5_000],
      gapMs: options.gapMs ?? [3_000, 6_000],
      kinds: options.kinds,
    });
    // If anything below throws, first undo a fault in progress (a paused Postgres, a stopped broker).
    onCleanup(async () => postgres.resume());

    const started = Date.now();
    load.start();
    chaos.start();
    let lastAcks = 0;
    while (Date.now() - started < options.durationMs) {
      await sleep(Math.min(10_000, options.durationMs - (Date.now() - started)));
      const s = load.stats;
      const elapsed = Math.round((Date.now() - started) / 1000);
      log(
        `${elapsed}/${Math.round(options.durationMs / 1000)} s: ${s.acknowledged} acked (+${s.acknowledged - lastAcks}), ` +
          `${s.unknown} unknown, ${s.notDelivered} not delivered, statuses ${JSON.stringify(s.byStatus)}, ` +
          `${chaos.faults.length} faults${chaos.current ? ` (now: ${chaos.current.kind})` : ''}`,
      );
      lastAcks = s.acknowledged;
    }
    log('time is up: stopping the chaos (the fault in progress is repaired first), then the load');
    await chaos.stop();
    await load.stop();
    log(`asking again the ${load.stats.unknown} commands whose outcome was unknown (same Idempotency-Key)`);
    await load.resolveUnknown();

    const check = await checkInvariants({
      writeDatabaseUrl,
      readDatabaseUrl,
      brokers: [kafka.brokers],
      topicPrefix,
      acks: load.acks,
      commandApiUrl: commandApi.baseUrl,
      queryApiUrl: queryApi.baseUrl,
      unexpectedExits: [...commandApi.unexpectedExits, ...queryApi.unexpectedExits],
      convergeTimeoutMs: options.convergeTimeoutMs,
      log,
    });
    // The apps came back on their own after every fault (the chaos script only restarts what it killed).
    for (const fault of chaos.faults) {
      if (fault.recoveredInMs === null) {
        check.violations.push(`the apps were not both ready within 60 s after ${fault.kind} (${fault.detail})`);
      }
    }
    const recoveries = chaos.faults.flatMap((fault) => (fault.recoveredInMs == null ? [] : [fault.recoveredInMs]));
    const faultCounts: Record<string, number> = {};
    for (const fault of chaos.faults) faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
    const report = [
      formatCheck(check),
      `load: ${JSON.stringify(load.stats)}`,
      `faults (${chaos.faults.length}): ${JSON.stringify(faultCounts)}`,
      ...chaos.faults.map(
        (fault) =>
          `  +${((fault.startedAt - started) / 1000).toFixed(0)} s ${fault.kind}: ${fault.detail}; ready again ` +
          (fault.recoveredInMs == null ? 'NOT within 60 s' : `after ${(fault.recoveredInMs / 1000).toFixed(1)} s`),
      ),
      `recovery (repair -> both apps ready): max ${recoveries.length ? (Math.max(...recoveries) / 1000).toFixed(1) : '-'} s`,
      `app starts: command-api ${commandApi.starts}, query-api ${queryApi.starts}`,
    ].join('\n');
    writeFileSync(join(runDir, 'report.txt'), `${report}\n`);
    passed = check.violations.length === 0;
    return {
      ...check,
      load: load.stats,
      faults: chaos.faults,
      restarts: { commandApi: commandApi.starts - 1, queryApi: queryApi.starts - 1 },
      runDir,
      report,
    };
  } finally {
    for (const cleanup of localCleanups.reverse()) {
      await cleanup().catch((error: Error) => log(`cleanup: ${error.message}`));
      const index = cleanups.indexOf(cleanup);
      if (index >= 0) cleanups.splice(index, 1);
    }
    if (passed && !options.keepFiles) rmSync(runDir, { recursive: true, force: true });
    else log(`logs, ack log and report kept in ${runDir}`);
  }
}
