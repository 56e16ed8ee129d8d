import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from './database.config';
import { DatabaseHealthIndicator } from './database.health';
import { buildDataSourceOptions, SchemaOwner } from './data-source.factory';

export interface PersistenceModuleOptions {
  /** The tables and migrations this app owns. */
  owner: SchemaOwner;
  /** `write`: DATABASE_URL; `read`: READ_DATABASE_URL (defaults to DATABASE_URL). */
  database: 'write' | 'read';
}

/** The app's TypeORM data source, built by the shared factory, plus its readiness check. */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          imports: [ConfigModule.forFeature(databaseConfig)],
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig) =>
            buildDataSourceOptions(options.owner, {
              url: options.database === 'write' ? config.writeUrl : config.readUrl,
              poolMax: config.poolMax,
            }),
        }),
      ],
      providers: [DatabaseHealthIndicator],
      exports: [TypeOrmModule, DatabaseHealthIndicator],
    };
  }
}
