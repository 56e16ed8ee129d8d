/**
 * Local Kafka broker (KRaft, single node) for development.
 *
 *   node_modules/.bin/node -r ts-node/register tools/kafka/cli.ts <command> [options]
 *
 * Commands:
 *   start   [--port N] [--controller-port N] [--state-dir D] [--foreground]
 *   stop    [--state-dir D]
 *   status  [--state-dir D]
 *   fetch   only download the Kafka jars into .cache/kafka/<version>/libs
 *
 * Exit codes: 0 ok, 1 failure (message on stderr, usage errors included).
 */
import { parseArgs } from 'node:util';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { DEFAULT_PORT, DEFAULT_STATE_DIR, ensureKafkaJars, kafkaStatus, startKafka, stopKafka } from './kafka-broker';

const USAGE = `usage: cli.ts start [--port N] [--controller-port N] [--state-dir D] [--foreground]
       cli.ts stop [--state-dir D]
       cli.ts status [--state-dir D]
       cli.ts fetch

defaults: --port ${DEFAULT_PORT}, --controller-port <port + 1>, --state-dir ${DEFAULT_STATE_DIR}`;

class UsageError extends Error {}

silenceKafkajsNegativeTimeoutWarning();

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`${flag} must be a port number, got "${value}"`);
  return port;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'controller-port': { type: 'string' },
        'state-dir': { type: 'string' },
        foreground: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('expected exactly one command');
  const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;

  switch (positionals[0]) {
    case 'start': {
      const broker = await startKafka({
        port: parsePort(values.port, '--port'),
        controllerPort: parsePort(values['controller-port'], '--controller-port'),
        stateDir,
      });
      if (!values.foreground) return 0;
      return runInForeground(stateDir, broker.pid);
    }
    case 'stop':
      if (!(await stopKafka(stateDir))) process.stdout.write('[kafka] not running\n');
      return 0;
    case 'status': {
      const status = kafkaStatus(stateDir);
      process.stdout.write(
        status.running
          ? `[kafka] running on ${status.brokers?.join(',') ?? '?'} (pid ${status.pid}), logs: ${status.logFile}\n`
          : '[kafka] not running\n',
      );
      return 0;
    }
    case 'fetch':
      ensureKafkaJars();
      return 0;
    default:
      throw new UsageError(`unknown command "${positionals[0]}"`);
  }
}

/** Keeps the launcher attached: stops the broker on SIGINT/SIGTERM, fails if the broker dies on its own. */
function runInForeground(stateDir: string, pid: number): Promise<number> {
  process.stdout.write(`[kafka] running in the foreground (pid ${pid}); press Ctrl-C to stop\n`);
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watchdog);
      stopKafka(stateDir).then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`[kafka] ${error instanceof Error ? error.message : String(error)}\n`);
          resolve(1);
        },
      );
    };
    const watchdog = setInterval(() => {
      if (!stopping && !kafkaStatus(stateDir).running) {
        clearInterval(watchdog);
        process.stderr.write(`[kafka] broker (pid ${pid}) exited unexpectedly; see ${kafkaStatus(stateDir).logFile}\n`);
        resolve(1);
      }
    }, 1_000);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`[kafka] ${error.message}\n${USAGE}\n`);
    } else {
      process.stderr.write(`[kafka] ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  },
);
