import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORT, kafkaStatus, REPO_ROOT, startKafka, stopKafka } from '../kafka/kafka-broker';
import { signal, startTimeOf, waitForEnd } from '../lib/process-end';
import { ensureDatabaseAndCache, redactPassword } from './local-services';

const APPS = [
  { name: 'command-api', portVariable: 'COMMAND_API_PORT', defaultPort: 3001 },
  { name: 'query-api', portVariable: 'QUERY_API_PORT', defaultPort: 3002 },
] as const;
type AppName = (typeof APPS)[number]['name'];

// STACK_STATE_DIR lets a test run its own stack beside a developer's (default `.stack/`).
const STATE_DIR = process.env.STACK_STATE_DIR || join(REPO_ROOT, '.stack');
const STATE_FILE = join(STATE_DIR, 'stack.json');
const LOG_DIR = join(STATE_DIR, 'logs');

/** What `up` started, so that `down` stops exactly that and nothing else. */
interface StackState {
  apps: Partial<Record<AppName, number>>;
  startedKafka: boolean;
}

const log = (line: string) => process.stdout.write(`[stack] ${line}\n`);

/** The contract defaults (shared/DESIGN.md section 2), overridden by the environment. */
function settings() {
  const env = process.env;
  return {
    databaseUrl: env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/analytics',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    kafkaBrokers: env.KAFKA_BROKERS || `127.0.0.1:${DEFAULT_PORT}`,
    portOf: (app: (typeof APPS)[number]) => Number(env[app.portVariable] || app.defaultPort),
  };
}

/** Kafka from our launcher when the configured brokers are the local default; otherwise just used. */
async function ensureKafka(brokers: string): Promise<boolean> {
  if (brokers !== `127.0.0.1:${DEFAULT_PORT}` && brokers !== `localhost:${DEFAULT_PORT}`) {
    log(`using the Kafka brokers at ${brokers}`);
    return false;
  }
  const started = await startKafka({ log: (line) => log(`kafka: ${line}`) });
  return !started.alreadyRunning;
}

function build() {
  // Set by the stack test: npm test has just built dist/, which other tests are running from.
  if (process.env.STACK_SKIP_BUILD === '1') return log('using the existing build (STACK_SKIP_BUILD=1)');
  log('building both apps (nest build)...');
  for (const { name } of APPS) {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', name], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}

function mainOf(app: AppName) {
  return join(REPO_ROOT, 'dist', 'apps', app, 'main.js');
}

function migrate() {
  for (const { name } of APPS) {
    execFileSync(process.execPath, [mainOf(name), 'migrate'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
}

async function waitUntilReady(app: AppName, port: number, child: () => ChildProcess | number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const process_ = child();
    if (typeof process_ !== 'number' && process_.exitCode !== null) {
      throw new Error(`${app} exited with code ${process_.exitCode} before it was ready`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${app} was not ready on port ${port} within ${timeoutMs / 1000} s: ${last}`);
}

/** Everything up to the point where the apps can start; returns whether Kafka was started by us. */
async function prepare(): Promise<boolean> {
  const config = settings();
  await ensureDatabaseAndCache({ postgres: config.databaseUrl, redis: config.redisUrl }, log);
  const startedKafka = await ensureKafka(config.kafkaBrokers);
  build();
  log(`migrating ${redactPassword(config.databaseUrl)}...`);
  migrate();
  return startedKafka;
}

function printUrls() {
  const config = settings();
  for (const app of APPS) {
    const base = `http://127.0.0.1:${config.portOf(app)}`;
    log(`${app.name.padEnd(12)} ${base}  (docs ${base}/docs, health ${base}/health/ready, metrics ${base}/metrics)`);
  }
}

/** `npm start`: the whole system in the foreground; Ctrl-C stops what it started. */
export async function startForeground(): Promise<void> {
  const startedKafka = await prepare();
  const config = settings();
  const children = APPS.map((app) => spawn(process.execPath, [mainOf(app.name)], { cwd: REPO_ROOT, stdio: 'inherit' }));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping...');
    await Promise.all(children.map((child) => terminate(child)));
    if (startedKafka) await stopKafka(undefined, (line) => log(`kafka: ${line}`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  children.forEach((child, i) =>
    child.on('exit', (code) => {
      if (!stopping) {
        log(`${APPS[i].name} exited (${code}); stopping the rest`);
        void stop(1);
      }
    }),
  );
  await Promise.all(APPS.map((app, i) => waitUntilReady(app.name, config.portOf(app), () => children[i])));
  log('ready. Ctrl-C stops everything this command started.');
  printUrls();
}

/** `npm run up`: the same, detached; returns once both apps answer /health/ready with 200. */
export async function up(): Promise<void> {
  const previous = readState();
  if (previous && Object.values(previous.apps).some((pid) => pid !== undefined && isOurApp(pid))) {
    throw new Error('the stack is already up (npm run down stops it)');
  }
  const startedKafka = await prepare();
  const config = settings();
  mkdirSync(LOG_DIR, { recursive: true });
  const state: StackState = { apps: {}, startedKafka: startedKafka || Boolean(previous?.startedKafka) };
  for (const app of APPS) {
    const logFile = openSync(join(LOG_DIR, `${app.name}.log`), 'a');
    const child = spawn(process.execPath, [mainOf(app.name)], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', logFile, logFile],
    });
    closeSync(logFile);
    child.unref();
    state.apps[app.name] = child.pid;
    writeState(state);
  }
  try {
    await Promise.all(
      APPS.map((app) => waitUntilReady(app.name, config.portOf(app), () => state.apps[app.name] as number)),
    );
  } catch (error) {
    log(`${(error as Error).message}; logs in ${LOG_DIR}. Stopping what was started.`);
    await down();
    throw error;
  }
  log(`up. Logs in ${LOG_DIR}; \`npm run down\` stops it.`);
  printUrls();
}

/** `npm run down`: stops the apps `up` started, and Kafka if `up` started it. */
export async function down(): Promise<void> {
  const state = readState();
  if (!state) {
    log('nothing to stop (no stack started by `npm run up`)');
    return;
  }
  for (const [app, pid] of Object.entries(state.apps)) {
    if (pid !== undefined && isOurApp(pid)) {
      log(`stopping ${app} (pid ${pid})`);
      await terminatePid(pid);
    }
  }
  if (state.startedKafka && kafkaStatus().running) {
    await stopKafka(undefined, (line) => log(`kafka: ${line}`));
  }
  rmSync(STATE_FILE, { force: true });
  log('down.');
}

function readState(): StackState | undefined {
  return existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState) : undefined;
}

function writeState(state: StackState) {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

/** A pid from our state file is only signalled while it still runs one of our apps. */
function isOurApp(pid: number): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return APPS.some((app) => commandLine.includes(mainOf(app.name)));
  } catch {
    return false;
  }
}

async function terminatePid(pid: number) {
  const startTime = startTimeOf(pid);
  signal(pid, 'SIGTERM');
  if (await waitForEnd(pid, startTime, 15_000)) return;
  log(`pid ${pid} did not stop within 15 s of SIGTERM; sending SIGKILL`);
  signal(pid, 'SIGKILL');
  await waitForEnd(pid, startTime, 5_000);
}

async function terminate(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
