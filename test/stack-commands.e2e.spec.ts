import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createScratchDatabase, freePort } from '@analytics/testing';

const run = promisify(execFile);
const REPO = join(__dirname, '..');

/**
 * `npm run up` returns once both apps are ready and `npm run down` leaves none of its processes.
 * This stack uses its own ports, database and state folder, and the run's Kafka (which it must
 * then leave running: it did not start it).
 */
describe('npm run up / npm run down', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'analytics-stack-'));
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    scratch = await createScratchDatabase('stack');
    env = {
      ...process.env,
      STACK_STATE_DIR: stateDir,
      // Rebuilding dist/ here would pull it from under the other e2e tests running from it.
      STACK_SKIP_BUILD: '1',
      DATABASE_URL: scratch.url,
      READ_DATABASE_URL: scratch.url,
      COMMAND_API_PORT: String(await freePort()),
      QUERY_API_PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    await stack('down');
    await scratch?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  // A stopped app may linger as a zombie until its new parent reaps it: that is not running.
  const stack = (command: 'up' | 'down') =>
    run(process.execPath, ['-r', 'ts-node/register', 'tools/stack/cli.ts', command], { cwd: REPO, env });

  const running = (pid: number) =>
    existsSync(`/proc/${pid}/stat`) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';

  it('brings both apps up ready, then stops exactly what it started', async () => {
    await stack('up');

    for (const port of [env.COMMAND_API_PORT, env.QUERY_API_PORT]) {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    }
    const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as {
      apps: Record<string, number>;
      startedKafka: boolean;
    };
    const pids = Object.values(state.apps);
    expect(pids).toHaveLength(2);
    expect(state.startedKafka).toBe(false);

    await stack('down');

    expect(pids.filter(running)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${env.COMMAND_API_PORT}/health/live`)).rejects.toThrow();
  });
});
