import 'reflect-metadata';
import { createHttpApp } from '@analytics/http';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { databaseConfig, ensureDatabaseExists, runPendingMigrations } from '@analytics/persistence';
import { CommandApiConfig, commandApiConfig } from './command-api.config';
import { CommandApiModule } from './command-api.module';
import { commandApiSchema } from './command-api.schema';
import { DomainErrorFilter } from './shared/domain-error.filter';

/** `main.js` serves HTTP; `main.js migrate` brings the write database up to date and exits. */
async function main(command = 'serve') {
  if (command === 'migrate') {
    const { writeUrl } = databaseConfig();
    await ensureDatabaseExists(writeUrl);
    const ran = await runPendingMigrations(commandApiSchema, writeUrl);
    console.log(`command-api: ${ran.length} migration(s) run${ran.length ? `: ${ran.join(', ')}` : ''}`);
    return;
  }
  // The body limit is fixed when the HTTP server is built, before DI exists: read the same
  // validated namespace directly.
  const { bodyLimitBytes } = commandApiConfig();
  const app = await createHttpApp(CommandApiModule, {
    name: 'command-api',
    description: 'Write side of the Analytics Engine: commands in, events out.',
    bodyLimitBytes,
    filters: [new DomainErrorFilter()],
  });
  const config = app.get<CommandApiConfig>(commandApiConfig.KEY);
  await app.listen(config.port, '0.0.0.0');
}

silenceKafkajsNegativeTimeoutWarning();
main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
