import './register-paths';
import { silenceKafkajsNegativeTimeoutWarning } from '@analytics/messaging';
import { runPendingMigrations, ensureDatabaseExists } from '@analytics/persistence';
import { commandApiSchema } from '../../apps/command-api/src/command-api.schema';
import { queryApiSchema } from '../../apps/query-api/src/query-api.schema';
import { assertServicesAnswer, resolveServices } from './services';
import { databaseUrl, newRunId, RUN_ENV, runDatabaseName, topicPrefixOf } from './test-run';
import { runState } from './run-state';

/**
 * Once per `jest` run (shared by the int and e2e projects): finds the real services, fails
 * loudly when one is missing, and gives the run its own migrated database and topic prefix, so
 * two runs on one machine never see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  silenceKafkajsNegativeTimeoutWarning();
  if (runState.current) return;
  const { endpoints, containers } = await resolveServices(process.env);
  await assertServicesAnswer(endpoints);

  const runId = newRunId();
  const runDatabase = databaseUrl(endpoints.postgresUrl, runDatabaseName(runId));
  await ensureDatabaseExists(runDatabase);
  await runPendingMigrations(commandApiSchema, runDatabase);
  await runPendingMigrations(queryApiSchema, runDatabase);

  Object.assign(process.env, {
    [RUN_ENV.runId]: runId,
    [RUN_ENV.postgresServerUrl]: endpoints.postgresUrl,
    DATABASE_URL: runDatabase,
    READ_DATABASE_URL: runDatabase,
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefixOf(runId),
    REDIS_URL: endpoints.redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  runState.current = { runId, endpoints, containers };
  console.log(`\ntest run ${runId}: services from ${endpoints.source}; database ${runDatabaseName(runId)}`);
}
