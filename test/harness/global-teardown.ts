import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { runState } from './run-state';
import { topicPrefixOf } from './test-run';

/** Removes what the run created: its databases and its topics; stops containers it started. */
export default async function globalTeardown(): Promise<void> {
  const run = runState.current;
  if (!run) return;
  runState.current = undefined;

  const admin = new Client({ connectionString: run.endpoints.postgresUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `analytics_test_${run.runId}%`,
    ]);
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }

  const kafka = new Kafka({ brokers: run.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  try {
    const topics = (await kafka.listTopics()).filter((topic) => topic.startsWith(topicPrefixOf(run.runId)));
    if (topics.length > 0) await kafka.deleteTopics({ topics });
  } finally {
    await kafka.disconnect();
  }
  await run.containers?.stop();
}
