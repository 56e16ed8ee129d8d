/**
 * `npm run test:faults [-- --long] [-- --duration 5m]`: the fault soak (see README, "Fault soak").
 * Short: 2 minutes; `--long`: 15 minutes; `--duration` overrides both (`90s`, `5m`, or ms).
 * `--keep` keeps the run folder (logs, ack log, report) after a pass. Needs `npm run build` first
 * (the npm script does it). Exits non-zero on any violation.
 */
import { parseArgs } from 'node:util';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { cleanupSoak, runSoak } from './soak';

const SHORT_MS = 2 * 60_000;
const LONG_MS = 15 * 60_000;

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration ${text}: expected e.g. 90s, 5m or 120000`);
  const value = Number(match[1]);
  return Math.round(match[2] === 'm' ? value * 60_000 : match[2] === 's' ? value * 1_000 : value);
}

async function main(): Promise<number> {
  silenceKafkajsNegativeTimeoutWarning();
  const { values } = parseArgs({
    options: {
      long: { type: 'boolean', default: false },
      duration: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const durationMs = values.duration ? parseDuration(values.duration) : values.long ? LONG_MS : SHORT_MS;
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n[soak] ${signal}: stopping everything the soak started...\n`);
      void cleanupSoak().finally(() => process.exit(130));
    });
  }
  process.stderr.write(`[soak] fault soak for ${Math.round(durationMs / 1000)} s\n`);
  const result = await runSoak({ durationMs, keepFiles: values.keep });
  process.stdout.write(`${result.report}\n`);
  if (interrupted) return 130;
  return result.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`[soak] failed: ${(error as Error).stack ?? String(error)}\n`);
    await cleanupSoak();
    process.exit(2);
  },
);
