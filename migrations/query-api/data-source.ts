// Data source for TypeORM's CLI (npm run migration:* -- query-api). Same factory as the app.
import 'reflect-metadata';
import { databaseConfig, createDataSource } from '@analytics/persistence';
import { queryApiSchema } from '../../apps/query-api/src/query-api.schema';

export default createDataSource(queryApiSchema, { url: databaseConfig().readUrl });
