import { AppProcess, eventually, freePort, HealthReport, jsonOf, startApp } from '@analytics/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, stopKafka } from '../tools/kafka/kafka-broker';

/**
 * Readiness follows the broker: with Kafka stopped both apps answer 503 within 10 s, and 200
 * again once it is back. The test runs its own broker, so stopping it disturbs no other test.
 */
describe('readiness during a Kafka outage', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'analytics-kafka-outage-'));
  let port: number;
  let controllerPort: number;
  let apps: AppProcess[] = [];
  const silent = () => undefined;

  const readiness = async (app: AppProcess) => (await fetch(`${app.baseUrl}/health/ready`)).status;

  beforeAll(async () => {
    port = await freePort();
    controllerPort = await freePort();
    await startKafka({ port, controllerPort, stateDir, log: silent });
    const env = { KAFKA_BROKERS: `127.0.0.1:${port}` };
    apps = await Promise.all([startApp('command-api', env), startApp('query-api', env)]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await stopKafka(stateDir, silent);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('goes 200 -> 503 within 10 s of the broker stopping -> 200 after it is back', async () => {
    for (const app of apps) expect(await readiness(app)).toBe(200);

    await stopKafka(stateDir, silent);
    const stopped = Date.now();
    await Promise.all(apps.map((app) => eventually(async () => (await readiness(app)) === 503, 10_000)));
    const outageDetectedWithin = Date.now() - stopped;
    expect(outageDetectedWithin).toBeLessThan(10_000);
    const body = await jsonOf<HealthReport>(await fetch(`${apps[0].baseUrl}/health/ready`));
    expect(body.error.kafka.status).toBe('down');

    await startKafka({ port, controllerPort, stateDir, log: silent });
    await Promise.all(apps.map((app) => eventually(async () => (await readiness(app)) === 200, 30_000)));
  });
});
