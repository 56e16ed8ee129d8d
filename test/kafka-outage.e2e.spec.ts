import { AppProcess, eventually, freePort, HealthReport, jsonOf, startApp } from '@analytics/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, stopKafka } from '../tools/kafka/kafka-broker';

/**
 * Readiness during a broker outage. query-api needs Kafka to stay current: it answers 503 within
 * 10 s and 200 once the broker is back. command-api keeps taking commands (they wait in the
 * outbox), so it stays ready and reports Kafka under `degraded`. The test runs its own broker, so
 * stopping it disturbs no other test.
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

  it('query-api goes 200 -> 503 -> 200; command-api stays ready and reports Kafka as degraded', async () => {
    const [commandApi, queryApi] = apps;
    for (const app of apps) expect(await readiness(app)).toBe(200);

    await stopKafka(stateDir, silent);
    const stopped = Date.now();
    await eventually(async () => (await readiness(queryApi)) === 503, 10_000);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    const queryReport = await jsonOf<HealthReport>(await fetch(`${queryApi.baseUrl}/health/ready`));
    expect(queryReport.error.kafka.status).toBe('down');

    const commandReady = await fetch(`${commandApi.baseUrl}/health/ready`);
    expect(commandReady.status).toBe(200);
    const commandReport = await jsonOf<HealthReport & { degraded: Record<string, { status: string }> }>(commandReady);
    expect(commandReport.degraded.kafka.status).toBe('down');

    await startKafka({ port, controllerPort, stateDir, log: silent });
    await eventually(async () => (await readiness(queryApi)) === 200, 30_000);
    const recovered = await jsonOf<HealthReport & { degraded?: object }>(
      await fetch(`${commandApi.baseUrl}/health/ready`),
    );
    expect(recovered.degraded).toBeUndefined();
    expect(recovered.details.kafka.status).toBe('up');
  });
});
