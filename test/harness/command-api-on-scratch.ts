import { STREAM_TYPES } from '@analytics/contracts';
import { ensureTopics, TopicNames } from '@analytics/messaging';
import { runPendingMigrations } from '@analytics/persistence';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { commandApiSchema } from '../../apps/command-api/src/command-api.schema';
import { AppProcess, startApp } from './app-process';
import { collectEvents, EventCollector } from './event-collector';
import { createScratchDatabase } from './scratch-database';

/** A command-api process on a database of its own, a consumer of one of its topics, and a SQL client. */
export interface CommandApiOnScratch {
  app: AppProcess;
  /** Every message of the collected stream type's topic. */
  events: EventCollector;
  /** The write database, for assertions on its tables. */
  db: Client;
  stop(): Promise<void>;
}

/**
 * Starts command-api on a migrated scratch database (its relay publishes whatever its outbox
 * holds, so tests must not share one) with the run's event topics, collecting `collect`'s topic.
 */
export async function commandApiOnScratch(
  label: string,
  collect: string,
  env: Record<string, string> = {},
): Promise<CommandApiOnScratch> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topics = new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? '');
  const scratch = await createScratchDatabase(label);
  await runPendingMigrations(commandApiSchema, scratch.url);
  await ensureTopics(
    new Kafka({ brokers, logLevel: logLevel.NOTHING }),
    STREAM_TYPES.map((type) => topics.eventsOf(type)),
    6,
  );
  const events = await collectEvents(brokers, topics.eventsOf(collect));
  const app = await startApp('command-api', { DATABASE_URL: scratch.url, ...env });
  const db = new Client({ connectionString: scratch.url });
  await db.connect();
  return {
    app,
    events,
    db,
    stop: async () => {
      await db.end();
      await app.stop();
      await events.stop();
      await scratch.drop();
    },
  };
}
