import { DataSource } from 'typeorm';
import { OutboxMessageEntity, StoredEventEntity } from '@analytics/event-store';
import { createScratchDatabase } from './scratch-database';

/**
 * A database of its own holding just the event store tables, for the event store's integration tests
 * (a relay publishes every pending row, so tests must not share an outbox). The tables are built
 * from the entities: the migrations test proves they equal what the migrations create.
 */
export async function eventStoreTestDatabase(label: string): Promise<{ db: DataSource; close(): Promise<void> }> {
  const scratch = await createScratchDatabase(label);
  const db = await new DataSource({
    type: 'postgres',
    url: scratch.url,
    entities: [StoredEventEntity, OutboxMessageEntity],
    synchronize: true,
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
