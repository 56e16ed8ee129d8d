import 'reflect-metadata';
import { createHttpApp } from '@analytics/http';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { databaseConfig, ensureDatabaseExists, runPendingMigrations } from '@analytics/persistence';
import { QueryApiConfig, queryApiConfig } from './query-api.config';
import { runRebuildCli } from './projections/rebuild/rebuild.cli';
import { QueryApiModule } from './query-api.module';
import { queryApiSchema } from './query-api.schema';

/**
 * `main.js` serves HTTP; `main.js migrate` brings the read database up to date and exits;
 * `main.js projections:rebuild <name>` rebuilds the read models from the event feed and exits.
 */
async function main(command = 'serve') {
  if (command === 'projections:rebuild') {
    // Exit now: nothing else should keep the process (stdout to a pipe or terminal is synchronous).
    process.exit(await runRebuildCli(process.argv.slice(3)));
  }
  if (command === 'migrate') {
    const { readUrl } = databaseConfig();
    await ensureDatabaseExists(readUrl);
    const ran = await runPendingMigrations(queryApiSchema, readUrl);
    console.log(`query-api: ${ran.length} migration(s) run${ran.length ? `: ${ran.join(', ')}` : ''}`);
    return;
  }
  const app = await createHttpApp(QueryApiModule, {
    name: 'query-api',
    description: 'Read side of the Analytics Engine: denormalized projections, cached queries.',
  });
  const config = app.get<QueryApiConfig>(queryApiConfig.KEY);
  await app.listen(config.port, '0.0.0.0');
}

silenceKafkajsNegativeTimeoutWarning();
main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
