import { createDataSource, findSchemaDrift, SchemaOwner } from '@analytics/persistence';
import { createScratchDatabase } from '@analytics/testing';
import { Column, Entity } from 'typeorm';
import { commandApiSchema } from '../apps/command-api/src/command-api.schema';
import { ClientConfigEntity } from '../apps/command-api/src/client-configs/client-config.entity';
import { queryApiSchema } from '../apps/query-api/src/query-api.schema';

/** Each side's migrations must build exactly what its entities describe, and unwind cleanly. */
describe.each([
  ['command-api', commandApiSchema],
  ['query-api', queryApiSchema],
])('%s migrations', (side, owner) => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

  beforeAll(async () => {
    scratch = await createScratchDatabase(`migrations_${side.replace('-', '_')}`);
  });
  afterAll(() => scratch?.drop());

  it('run, revert back to empty, and run again; no drift from the entities', async () => {
    const db = await createDataSource(owner, { url: scratch.url }).initialize();
    try {
      const userTables = async (): Promise<string[]> =>
        (
          await db.query(
            `SELECT schemaname || '.' || tablename AS name FROM pg_tables
              WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename NOT LIKE 'migrations_%'
              ORDER BY 1`,
          )
        ).map((row: { name: string }) => row.name);

      const firstRun = await db.runMigrations();
      expect(firstRun.length).toBe(owner.migrations.length);
      expect(await db.showMigrations()).toBe(false);
      expect(await findSchemaDrift(db)).toEqual([]);

      for (let i = 0; i < firstRun.length; i++) await db.undoLastMigration();
      expect(await userTables()).toEqual([]);

      await db.runMigrations();
      expect(await findSchemaDrift(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

describe('the drift check', () => {
  // The same table as ClientConfigEntity, with one column no migration creates.
  @Entity({ name: 'client_configs' })
  class ClientConfigWithNickname extends ClientConfigEntity {
    @Column({ type: 'varchar', length: 50, nullable: true })
    nickname!: string | null;
  }

  it('reports an entity changed without a migration', async () => {
    const scratch = await createScratchDatabase('drift');
    const changed: SchemaOwner = {
      ...commandApiSchema,
      entities: [
        ...(commandApiSchema.entities as unknown[]).filter((entity) => entity !== ClientConfigEntity),
        ClientConfigWithNickname,
      ] as SchemaOwner['entities'],
    };
    const db = await createDataSource(changed, { url: scratch.url }).initialize();
    try {
      await db.runMigrations();
      const drift = await findSchemaDrift(db);
      expect(drift).toEqual([`ALTER TABLE "client_configs" ADD "nickname" character varying(50)`]);
    } finally {
      await db.destroy();
      await scratch.drop();
    }
  });
});
