import { AppProcess, HealthReport, jsonOf, startApp } from '@analytics/testing';

/**
 * Both apps, started from their production build as separate processes, serve the operations
 * endpoints of the runtime contract (shared/DESIGN.md section 2) against the real services.
 */
describe.each([
  ['command-api', ['postgres', 'kafka']],
  // `projections` is reported (lag, stall) but never makes query-api unready: see README, "Read side".
  ['query-api', ['postgres', 'kafka', 'redis', 'projections']],
] as const)('%s operations endpoints', (app, dependencies) => {
  let running: AppProcess;

  beforeAll(async () => {
    running = await startApp(app);
  });
  afterAll(() => running?.stop());

  it('is live', async () => {
    const response = await fetch(`${running.baseUrl}/health/live`);
    expect(response.status).toBe(200);
  });

  it(`is ready, having checked ${dependencies.join(', ')}, and reports the time-series mode`, async () => {
    const response = await fetch(`${running.baseUrl}/health/ready`);
    const body = await jsonOf<HealthReport>(response);
    expect({ status: response.status, checked: Object.keys(body.details).sort() }).toEqual({
      status: 200,
      checked: [...dependencies].sort(),
    });
    // Plain PostgreSQL here; the Docker Compose stack reports `timescaledb`.
    expect(body.details.postgres.timeSeriesMode).toBe('native-partitioning');
  });

  it('serves Prometheus metrics labelled with the app', async () => {
    const response = await fetch(`${running.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toContain(`process_cpu_user_seconds_total{app="${app}"}`);
  });

  it('publishes its OpenAPI document and UI', async () => {
    const document = await jsonOf<{ openapi: string; info: { title: string }; paths: object }>(
      await fetch(`${running.baseUrl}/docs-json`),
    );
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe(app);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const ui = await fetch(`${running.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers unknown routes with a problem document and echoes the correlation id', async () => {
    const response = await fetch(`${running.baseUrl}/v1/no-such-thing`, { headers: { 'X-Correlation-Id': 'corr-42' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-correlation-id')).toBe('corr-42');
    expect(await response.json()).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
  });

  it('refuses to start on invalid configuration, naming the variable', async () => {
    await expect(startApp(app, { KAFKA_BROKERS: 'not a broker list' })).rejects.toThrow(/KAFKA_BROKERS/);
  });
});
