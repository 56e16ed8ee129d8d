/**
 * Local Kafka broker for development and integration tests: a single KRaft node
 * (broker + controller in one JVM) run from the jars of the official Maven artifacts,
 * so no Docker and no Kafka tarball are needed, only Java 17+ and Maven.
 *
 * Everything an instance owns (config, data, logs, pid file) lives in its state dir,
 * so several brokers can run side by side on different ports and state dirs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { signal, startTimeOf, waitForEnd } from '../lib/process-end';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const POM_PATH = path.join(__dirname, 'pom.xml');

export const DEFAULT_PORT = 9092;
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.stack', 'kafka');
const DEFAULT_READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const HOST = '127.0.0.1';

export interface KafkaBrokerOptions {
  /** PLAINTEXT listener port clients connect to (default 9092). */
  port?: number;
  /** KRaft controller listener port (default port + 1). */
  controllerPort?: number;
  /** Directory holding config, data, logs and the pid file (default `<repo>/.stack/kafka`). */
  stateDir?: string;
  /** How long to wait for the broker to serve requests (default 90 s). */
  readyTimeoutMs?: number;
  /** Receives progress lines; defaults to stdout. Pass `() => {}` to silence. */
  log?: (line: string) => void;
}

export interface StartedKafka {
  pid: number;
  /** Bootstrap servers for clients, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  alreadyRunning: boolean;
}

export interface KafkaStatus {
  running: boolean;
  pid?: number;
  brokers?: string[];
  logFile: string;
}

export class KafkaLauncherError extends Error {
  override name = 'KafkaLauncherError';
}

const defaultLog = (line: string): void => {
  process.stdout.write(`[kafka] ${line}\n`);
};

/** Paths of everything a broker instance keeps in its state dir. */
export function stateFiles(stateDir: string = DEFAULT_STATE_DIR) {
  const dir = path.resolve(stateDir);
  return {
    dir,
    pidFile: path.join(dir, 'kafka.pid'),
    serverProperties: path.join(dir, 'server.properties'),
    log4jProperties: path.join(dir, 'log4j.properties'),
    dataDir: path.join(dir, 'data'),
    logsDir: path.join(dir, 'logs'),
    /** The broker's own log (log4j). */
    serverLog: path.join(dir, 'logs', 'server.log'),
    /** JVM stdout/stderr: crashes before log4j is up end here. */
    consoleLog: path.join(dir, 'logs', 'kafka.out'),
  };
}

// ---------------------------------------------------------------------------
// Prerequisites and jars
// ---------------------------------------------------------------------------

/** The Kafka version pinned in tools/kafka/pom.xml. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(fs.readFileSync(POM_PATH, 'utf8'));
  if (!match) throw new KafkaLauncherError(`no <kafka.version> property in ${POM_PATH}`);
  return match[1];
}

/** Directory the Kafka jars are copied to (`<repo>/.cache/kafka/<version>/libs`). */
export function kafkaLibsDir(): string {
  return path.join(REPO_ROOT, '.cache', 'kafka', kafkaVersion(), 'libs');
}

/** Throws an actionable error unless Java 17+ is on PATH. */
export function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new KafkaLauncherError(
      'Java 17+ is required to run the local Kafka broker, but `java` is not on PATH: ' +
        'install openjdk-17-jre-headless (apt-get install openjdk-17-jre-headless) or another JDK 17+.',
    );
  }
  // `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_392"` for Java 8) on stderr.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    throw new KafkaLauncherError(
      `Java 17+ is required to run the local Kafka broker, found: ${result.stderr.split('\n')[0] || 'unknown version'}. ` +
        'Install openjdk-17-jre-headless and put it first on PATH.',
    );
  }
}

/** Throws an actionable error unless Maven is on PATH. */
export function requireMaven(): void {
  if (spawnSync('mvn', ['-v'], { encoding: 'utf8' }).error) {
    throw new KafkaLauncherError(
      'Maven is required to fetch the Kafka jars from Maven Central, but `mvn` is not on PATH: ' +
        'install maven (apt-get install maven).',
    );
  }
}

/**
 * Makes sure the Kafka jars are in `.cache/kafka/<version>/libs`, fetching them with Maven when missing.
 * A marker written after a successful copy (holding a hash of pom.xml) tells a complete cache from a
 * half-finished one or one made from an older pom. Returns the libs directory.
 */
export function ensureKafkaJars(log: (line: string) => void = defaultLog): string {
  const version = kafkaVersion();
  const libsDir = kafkaLibsDir();
  const marker = path.join(path.dirname(libsDir), '.complete');
  const pomHash = createHash('sha256').update(fs.readFileSync(POM_PATH)).digest('hex');
  const isComplete = () => fs.existsSync(libsDir) && readIfExists(marker)?.trim() === pomHash;
  if (isComplete()) return libsDir;

  requireMaven();
  log(`fetching Kafka ${version} jars from Maven Central…`);
  const started = Date.now();
  // Copy into a private directory and move it into place, so a concurrent launcher never sees a partial libs dir.
  const tmpDir = `${libsDir}.tmp-${process.pid}`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      POM_PATH,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmpDir}`,
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (mvn.status !== 0) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw new KafkaLauncherError(
      `fetching the Kafka ${version} jars failed (mvn exit code ${mvn.status ?? mvn.signal}); ` +
        `is Maven Central reachable?\n${tail(`${mvn.stdout}${mvn.stderr}`, 30)}`,
    );
  }
  if (isComplete()) {
    fs.rmSync(tmpDir, { recursive: true, force: true }); // another launcher finished first
  } else {
    fs.rmSync(marker, { force: true });
    fs.rmSync(libsDir, { recursive: true, force: true });
    fs.renameSync(tmpDir, libsDir);
    fs.writeFileSync(marker, `${pomHash}\n`);
  }
  const jarCount = fs.readdirSync(libsDir).filter((name) => name.endsWith('.jar')).length;
  log(`fetched ${jarCount} jars into ${path.relative(REPO_ROOT, libsDir)} in ${seconds(Date.now() - started)}`);
  return libsDir;
}

// ---------------------------------------------------------------------------
// Configuration and storage
// ---------------------------------------------------------------------------

interface ResolvedOptions {
  port: number;
  controllerPort: number;
  stateDir: string;
  readyTimeoutMs: number;
  log: (line: string) => void;
}

function resolveOptions(options: KafkaBrokerOptions): ResolvedOptions {
  const port = options.port ?? DEFAULT_PORT;
  return {
    port,
    controllerPort: options.controllerPort ?? port + 1,
    stateDir: path.resolve(options.stateDir ?? DEFAULT_STATE_DIR),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    log: options.log ?? defaultLog,
  };
}

/** KRaft config of a single combined broker+controller node, tuned for a small dev machine. */
export function serverProperties(port: number, controllerPort: number, stateDir: string): string {
  const files = stateFiles(stateDir);
  return `# Generated by tools/kafka/kafka-broker.ts; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${controllerPort}
listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}
advertised.listeners=PLAINTEXT://${HOST}:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${files.dataDir}

# Topics are created explicitly by the applications, as in production.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1

# One node: internal topics cannot be replicated; few partitions keep startup and the first group join fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0

# Small machine: few threads, small buffers, bounded disk use.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
log.segment.bytes=67108864
`;
}

/** log4j 1.x (reload4j) config sending every broker log line to `<stateDir>/logs/server.log`. */
export function log4jProperties(stateDir: string): string {
  const files = stateFiles(stateDir);
  return `# Generated by tools/kafka/kafka-broker.ts
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${files.serverLog}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.controller=INFO
log4j.logger.state.change.logger=WARN
`;
}

/** A random Kafka cluster id: 16 random bytes, base64url without padding, like `StorageTool random-uuid`. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka never generates ids starting with '-' since they read as a command-line flag.
    if (!id.startsWith('-')) return id;
  }
}

function readClusterId(dataDir: string): string | undefined {
  const meta = readIfExists(path.join(dataDir, 'meta.properties'));
  return meta ? /^cluster\.id=(.+)$/m.exec(meta)?.[1].trim() : undefined;
}

function javaClasspath(libsDir: string): string {
  return `${libsDir}${path.sep}*`;
}

/** Formats the KRaft storage of the state dir unless already done; returns the cluster id. */
function formatStorageIfNeeded(libsDir: string, stateDir: string, log: (line: string) => void): string {
  const files = stateFiles(stateDir);
  const existing = readClusterId(files.dataDir);
  if (existing) return existing;

  const clusterId = randomClusterId();
  log(`formatting storage in ${files.dataDir} (cluster id ${clusterId})`);
  const result = spawnSync(
    'java',
    [
      `-Dlog4j.configuration=file:${files.log4jProperties}`,
      '-cp',
      javaClasspath(libsDir),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      files.serverProperties,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new KafkaLauncherError(`formatting Kafka storage failed:\n${tail(`${result.stdout}${result.stderr}`, 30)}`);
  }
  return clusterId;
}

// ---------------------------------------------------------------------------
// Process management
// ---------------------------------------------------------------------------

/** Command line of a live (non-zombie) process, or undefined. */
function processCommandLine(pid: number): string[] | undefined {
  if (process.platform === 'linux') {
    try {
      // A zombie (exited, not yet reaped) has an empty cmdline: treated as gone.
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return args.length > 0 ? args : undefined;
    } catch {
      return undefined;
    }
  }
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  const command = ps.status === 0 ? ps.stdout.trim() : '';
  return command ? command.split(/\s+/) : undefined;
}

/**
 * True when `pid` is a java process running `kafka.Kafka` with this state dir's server.properties.
 * Guards every signal we send, since a stale pid file may name a pid the OS has since reused.
 */
function isOurKafka(pid: number, stateDir: string): boolean {
  const args = processCommandLine(pid);
  if (!args) return false;
  const kafkaIndex = args.indexOf('kafka.Kafka');
  return (
    path.basename(args[0]).startsWith('java') &&
    kafkaIndex > 0 &&
    args[kafkaIndex + 1] === stateFiles(stateDir).serverProperties
  );
}

function readPid(pidFile: string): number | undefined {
  const pid = Number(readIfExists(pidFile)?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Reads the bootstrap address back from the state dir's server.properties. */
function configuredBrokers(stateDir: string): string[] | undefined {
  const config = readIfExists(stateFiles(stateDir).serverProperties);
  const listener = config && /^advertised\.listeners=PLAINTEXT:\/\/(.+)$/m.exec(config)?.[1].trim();
  return listener ? [listener] : undefined;
}

/** Whether the broker of `stateDir` is running (judged by its pid file and process, not by probing the port). */
export function kafkaStatus(stateDir: string = DEFAULT_STATE_DIR): KafkaStatus {
  const files = stateFiles(stateDir);
  const pid = readPid(files.pidFile);
  if (pid === undefined || !isOurKafka(pid, files.dir)) return { running: false, logFile: files.serverLog };
  return { running: true, pid, brokers: configuredBrokers(files.dir), logFile: files.serverLog };
}

/**
 * Stops the broker of `stateDir`: SIGTERM, then SIGKILL if it has not exited after 30 s.
 * Only signals the pid from the pid file, and only after checking it is still that Kafka.
 * Returns false when no broker was running.
 */
export async function stopKafka(
  stateDir: string = DEFAULT_STATE_DIR,
  log: (line: string) => void = defaultLog,
): Promise<boolean> {
  const files = stateFiles(stateDir);
  const pid = readPid(files.pidFile);
  if (pid === undefined || !isOurKafka(pid, files.dir)) {
    fs.rmSync(files.pidFile, { force: true });
    return false;
  }

  log(`stopping Kafka (pid ${pid})…`);
  const started = Date.now();
  const startTime = startTimeOf(pid);
  signal(pid, 'SIGTERM');
  if (!(await waitForEnd(pid, startTime, STOP_TIMEOUT_MS))) {
    log(`Kafka did not stop within ${seconds(STOP_TIMEOUT_MS)}, killing it`);
    if (isOurKafka(pid, files.dir)) signal(pid, 'SIGKILL');
    await waitForEnd(pid, startTime, 5_000);
  }
  fs.rmSync(files.pidFile, { force: true });
  log(`stopped in ${seconds(Date.now() - started)}`);
  return true;
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

/**
 * Starts the broker detached from the calling process and resolves once it really serves requests
 * (cluster described, a topic created and its metadata fetched). A no-op when this state dir's
 * broker already runs. On failure the half-started broker is stopped and the error names the log file.
 */
export async function startKafka(options: KafkaBrokerOptions = {}): Promise<StartedKafka> {
  const opts = resolveOptions(options);
  const files = stateFiles(opts.stateDir);
  const brokers = [`${HOST}:${opts.port}`];
  if (opts.port === opts.controllerPort) {
    throw new KafkaLauncherError(`the broker and controller ports must differ (both are ${opts.port})`);
  }
  requireJava();

  const status = kafkaStatus(files.dir);
  if (status.running && status.pid !== undefined) {
    const runningBrokers = status.brokers ?? brokers;
    await waitUntilReady(runningBrokers, readClusterId(files.dataDir), status.pid, files.dir, opts.readyTimeoutMs);
    opts.log(`already running on ${runningBrokers.join(',')} (pid ${status.pid})`);
    return { pid: status.pid, brokers: runningBrokers, alreadyRunning: true };
  }
  fs.rmSync(files.pidFile, { force: true });

  // Otherwise we might report as ready some other broker that happens to listen on the port.
  for (const port of [opts.port, opts.controllerPort]) {
    if (await acceptsConnections(HOST, port)) {
      throw new KafkaLauncherError(
        `port ${port} on ${HOST} is already in use by another process; stop it or pick other ports (--port).`,
      );
    }
  }

  const libsDir = ensureKafkaJars(opts.log);
  fs.mkdirSync(files.logsDir, { recursive: true });
  fs.writeFileSync(files.serverProperties, serverProperties(opts.port, opts.controllerPort, files.dir));
  fs.writeFileSync(files.log4jProperties, log4jProperties(files.dir));
  const clusterId = formatStorageIfNeeded(libsDir, files.dir, opts.log);

  opts.log(`starting Kafka ${kafkaVersion()} on ${brokers.join(',')} (logs: ${files.serverLog})`);
  const started = Date.now();
  const pid = spawnBroker(libsDir, files);
  fs.writeFileSync(files.pidFile, `${pid}\n`);
  try {
    await waitUntilReady(brokers, clusterId, pid, files.dir, opts.readyTimeoutMs);
  } catch (error) {
    await stopKafka(files.dir, () => {});
    throw error;
  }
  opts.log(`Kafka ready on ${brokers.join(',')} (pid ${pid}) in ${seconds(Date.now() - started)}`);
  return { pid, brokers, alreadyRunning: false };
}

/** Kafka for one command's run: the brokers it was given, or our own, which it stops if it started it. */
export interface KafkaForRun {
  brokers: string[];
  /** Stops the broker when this run started it; otherwise does nothing. */
  release(): Promise<void>;
}

/**
 * The brokers in `configured` (KAFKA_BROKERS) when set, else the project's own broker, started
 * now unless it runs already (what `npm test` and `npm run bench` do). Reports on `log`.
 */
export async function kafkaForRun(
  configured: string | undefined = process.env.KAFKA_BROKERS,
  log: (line: string) => void = defaultLog,
): Promise<KafkaForRun> {
  if (configured) {
    log(`using KAFKA_BROKERS=${configured} (not started or stopped by this run)`);
    return { brokers: configured.split(','), release: async () => undefined };
  }
  const started = await startKafka({ log });
  return {
    brokers: started.brokers,
    release: async () => {
      if (!started.alreadyRunning) await stopKafka(DEFAULT_STATE_DIR, log);
    },
  };
}

function spawnBroker(libsDir: string, files: ReturnType<typeof stateFiles>): number {
  const out = fs.openSync(files.consoleLog, 'a');
  try {
    // detached: own process group and session, so Ctrl-C in the launching terminal does not reach it
    // and it outlives the launcher; stdio goes to a file because a pipe would die with us.
    const child = spawn(
      'java',
      [
        '-Xms256m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${files.logsDir}`,
        `-Dlog4j.configuration=file:${files.log4jProperties}`,
        '-cp',
        javaClasspath(libsDir),
        'kafka.Kafka',
        files.serverProperties,
      ],
      { cwd: files.dir, detached: true, stdio: ['ignore', out, out] },
    );
    if (child.pid === undefined) throw new KafkaLauncherError('could not spawn java for the Kafka broker');
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/**
 * Polls until the broker answers a real admin round-trip. Checks the cluster id too, so a foreign
 * broker on the same port never passes for ours; fails fast if the broker process dies.
 */
async function waitUntilReady(
  brokers: string[],
  clusterId: string | undefined,
  pid: number,
  stateDir: string,
  timeoutMs: number,
): Promise<void> {
  const files = stateFiles(stateDir);
  const deadline = Date.now() + timeoutMs;
  let lastError: string;
  for (;;) {
    if (!isOurKafka(pid, files.dir)) {
      throw new KafkaLauncherError(
        `Kafka (pid ${pid}) exited during startup; see ${files.serverLog} and ${files.consoleLog}:\n` +
          tail(`${readIfExists(files.consoleLog) ?? ''}\n${readIfExists(files.serverLog) ?? ''}`, 20),
      );
    }
    try {
      await withTimeout(probeBroker(brokers, clusterId), Math.max(1_000, deadline - Date.now()));
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new KafkaLauncherError(
        `Kafka on ${brokers.join(',')} did not become ready within ${seconds(timeoutMs)} ` +
          `(last error: ${lastError}); see ${files.serverLog} and ${files.consoleLog}`,
      );
    }
    await sleep(500);
  }
}

/**
 * One readiness round-trip: describe the cluster, create a topic and wait for its leader, produce to it
 * idempotently with acks=-1 and look up a group coordinator. The last two make the broker create its
 * transaction-state and consumer-offsets topics now rather than on the applications' first request.
 */
async function probeBroker(brokers: string[], clusterId: string | undefined): Promise<void> {
  const kafka = new Kafka({
    clientId: 'kafka-launcher-probe',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 }, // kafkajs refuses an idempotent producer without retries
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const topic = `launcher-probe-${randomBytes(4).toString('hex')}`;
  let topicCreated = false;
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (clusterId !== undefined && cluster.clusterId !== clusterId) {
      throw new KafkaLauncherError(
        `the broker on ${brokers.join(',')} belongs to another cluster (${cluster.clusterId})`,
      );
    }
    topicCreated = true;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = metadata.topics[0]?.partitions[0]?.leader;
    if (leader === undefined || leader < 0) throw new Error(`probe topic ${topic} has no leader yet`);

    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'probe' }] });
    await admin.describeGroups(['kafka-launcher-probe']);
  } finally {
    await producer.disconnect().catch(() => {});
    if (topicCreated) await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** True when something accepts TCP connections on host:port. */
export function acceptsConnections(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${seconds(ms)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
