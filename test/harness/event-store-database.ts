import { DataSource } from 'typeorm';
import { OutboxMessageEntity, StoredEventEntity } from '@analytics/event-store';
import { runPendingMigrations, useSafeJsonParsing } from '@analytics/persistence';
import { commandApiSchema } from '../../apps/command-api/src/command-api.schema';
import { createScratchDatabase } from './scratch-database';

/**
 * A database of its own, built by the write side's migrations, for the event store's integration
 * tests (a relay publishes every pending row, so tests must not share an outbox).
 */
export async function eventStoreTestDatabase(label: string): Promise<{ db: DataSource; close(): Promise<void> }> {
  useSafeJsonParsing();
  const scratch = await createScratchDatabase(label);
  await runPendingMigrations(commandApiSchema, scratch.url);
  const db = await new DataSource({
    type: 'postgres',
    url: scratch.url,
    entities: [StoredEventEntity, OutboxMessageEntity],
    extra: { max: 60 },
  }).initialize();
  return {
    db,
    close: async () => {
      await db.destroy();
      await scratch.drop();
    },
  };
}
