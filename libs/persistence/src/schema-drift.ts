import { DataSource } from 'typeorm';

/**
 * Statements TypeORM would run to make the database match the entities.
 *
 * Run it on a database migrated to the latest version: an empty list means entities and
 * migrations agree; anything else is drift (an entity changed without a migration, or the
 * reverse). This is the same diff `migration:generate` writes into a new migration.
 */
export async function findSchemaDrift(dataSource: DataSource): Promise<string[]> {
  const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((query) => query.query);
}
