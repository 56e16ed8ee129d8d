/**
 * `npm test`: lint, type-check, build, make sure Kafka runs (our launcher), run every test tier
 * on the real services, then stop the Kafka broker if this command started it.
 * Arguments after `--` go to jest (e.g. `npm test -- --selectProjects unit`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kafkaForRun, REPO_ROOT } from '../kafka/kafka-broker';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';

silenceKafkajsNegativeTimeoutWarning();

/** npm's own CLI script, run by our Node like every other step (npm sets npm_execpath). */
function npmCli(): string {
  const cli = process.env.npm_execpath;
  if (!cli) throw new Error('run the tests through npm: `npm test`');
  return cli;
}

function step(title: string, command: string, args: string[]) {
  process.stdout.write(`\n=== ${title}\n`);
  const result = spawnSync(process.execPath, [command, ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${title} failed (exit ${result.status ?? result.signal})`);
  }
}

async function main(jestArgs: string[]): Promise<number> {
  process.stdout.write(`Running on Node.js ${process.version} (${process.execPath})\n`);
  // The same command a developer runs: eslint, prettier --check, dclint (Compose schema).
  step('lint (npm run lint)', npmCli(), ['run', 'lint']);
  step('type-check (tsc)', join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), ['--noEmit', '-p', '.']);
  for (const app of ['command-api', 'query-api']) {
    step(`build ${app}`, join(REPO_ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), ['build', app]);
  }

  process.stdout.write('\n=== Kafka\n');
  const kafka = await kafkaForRun();
  try {
    process.stdout.write('\n=== tests (jest: unit, int, e2e)\n');
    const jest = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/jest/bin/jest.js'), ...jestArgs], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    return jest.status ?? 1;
  } finally {
    await kafka.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\n${(error as Error).message}`);
    process.exit(1);
  },
);
