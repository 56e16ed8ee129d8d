/**
 * The local stack: Kafka (our launcher), Postgres and Redis (checked, started if installed and
 * stopped), database migrations, and both apps from their production build.
 *
 *   start   foreground; Ctrl-C stops what it started        (npm start)
 *   up      detached; returns when both apps are ready      (npm run up)
 *   down    stops what `up` started                          (npm run down)
 */
import { down, startForeground, up } from './stack';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';

silenceKafkajsNegativeTimeoutWarning();

const commands: Record<string, () => Promise<void>> = { start: startForeground, up, down };

const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error('usage: cli.ts start|up|down');
  process.exit(1);
}
command().then(
  () => {
    if (process.argv[2] !== 'start') process.exit(0);
  },
  (error: unknown) => {
    console.error(`[stack] ${(error as Error).message}`);
    process.exit(1);
  },
);
