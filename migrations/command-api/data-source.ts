// Data source for TypeORM's CLI (npm run migration:* -- command-api). Same factory as the app.
import 'reflect-metadata';
import { databaseConfig, createDataSource } from '@analytics/persistence';
import { commandApiSchema } from '../../apps/command-api/src/command-api.schema';

export default createDataSource(commandApiSchema, { url: databaseConfig().writeUrl });
