import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { acceptsConnections, ensureKafkaJars, kafkaStatus, startKafka, stopKafka } from './kafka-broker';

const silent = (): void => {};

describe('local Kafka broker (tools/kafka)', () => {
  let stateDir: string;
  let port: number;
  let controllerPort: number;

  beforeAll(async () => {
    // A cold jar cache takes ~30 s to fill; keep that out of the test's own timeout.
    ensureKafkaJars(silent);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-it-'));
    [port, controllerPort] = await freePorts(2);
  }, 300_000);

  afterAll(async () => {
    // Only does something if the test failed before stopping its broker.
    await stopKafka(stateDir, silent);
    fs.rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('starts a private broker that delivers a produced message, then stops it completely', async () => {
    const started = await startKafka({ port, controllerPort, stateDir, log: silent });
    expect(started.alreadyRunning).toBe(false);
    expect(started.brokers).toEqual([`127.0.0.1:${port}`]);
    expect(kafkaStatus(stateDir)).toMatchObject({ running: true, pid: started.pid });

    const again = await startKafka({ port, controllerPort, stateDir, log: silent });
    expect(again).toEqual({ ...started, alreadyRunning: true });

    await expect(produceAndConsume(started.brokers, 'hello from the launcher test')).resolves.toBe(
      'hello from the launcher test',
    );

    await expect(stopKafka(stateDir, silent)).resolves.toBe(true);
    await expect(acceptsConnections('127.0.0.1', port)).resolves.toBe(false);
    expect(processGone(started.pid)).toBe(true);
    expect(kafkaStatus(stateDir).running).toBe(false);
    expect(fs.existsSync(path.join(stateDir, 'kafka.pid'))).toBe(false);
  }, 120_000);
});

/** Produces one message (idempotent, acks=-1) to a fresh topic and returns the value consumed back. */
async function produceAndConsume(brokers: string[], value: string): Promise<string> {
  const kafka = new Kafka({ clientId: 'kafka-broker-it', brokers, logLevel: logLevel.ERROR });
  const topic = `kafka-broker-it-${Date.now()}`;
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });

    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'key', value }] });

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message consumed from ${topic} within 30 s`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.value?.toString() ?? '');
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
}

/** Ports nobody listens on right now, held open together so they are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** True when `pid` no longer runs: gone entirely, or (on Linux) a zombie its parent has not reaped yet. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
