/**
 * Migrations of both sides through TypeORM's CLI, each with its own data source (same factory
 * as the apps; DATABASE_URL for command-api, READ_DATABASE_URL for query-api).
 *
 *   run | revert | show [side]     side: command-api, query-api, or both when omitted (revert: query-api first)
 *   generate <side> <Name>         writes migrations/<side>/<timestamp>-<Name>.ts from the entity diff
 *   check [side]                   migrates a throwaway database and fails on any entity/migration drift
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createDataSource,
  databaseConfig,
  ensureDatabaseExists,
  findSchemaDrift,
  SchemaOwner,
} from '@analytics/persistence';
import { commandApiSchema } from '../../apps/command-api/src/command-api.schema';
import { queryApiSchema } from '../../apps/query-api/src/query-api.schema';

const REPO_ROOT = join(__dirname, '..', '..');
const SIDES = {
  'command-api': { owner: commandApiSchema, url: () => databaseConfig().writeUrl },
  'query-api': { owner: queryApiSchema, url: () => databaseConfig().readUrl },
} as const;
type Side = keyof typeof SIDES;

function sidesFrom(argument: string | undefined): Side[] {
  if (argument === undefined) return ['command-api', 'query-api'];
  if (argument in SIDES) return [argument as Side];
  throw new Error(`unknown side "${argument}" (command-api or query-api)`);
}

function typeormCli(args: string[], side: Side) {
  const cli = join(REPO_ROOT, 'node_modules/typeorm/cli-ts-node-commonjs.js');
  const dataSource = join('migrations', side, 'data-source.ts');
  const result = spawnSync(process.execPath, [cli, ...args, '-d', dataSource], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`typeorm ${args[0]} failed for ${side}`);
}

async function check(sides: Side[]): Promise<boolean> {
  let clean = true;
  for (const side of sides) {
    const url = new URL(SIDES[side].url());
    url.pathname = `/analytics_drift_${randomBytes(4).toString('hex')}`;
    await ensureDatabaseExists(url.toString());
    const db = await createDataSource(SIDES[side].owner as SchemaOwner, { url: url.toString() }).initialize();
    try {
      await db.runMigrations();
      const drift = await findSchemaDrift(db);
      if (drift.length === 0) {
        console.log(`${side}: entities and migrations agree`);
      } else {
        clean = false;
        console.error(`${side}: entities and migrations differ; a migration would need:\n  ${drift.join(';\n  ')}`);
      }
    } finally {
      await db.destroy();
      const admin = new Client({ connectionString: SIDES[side].url().replace(/\/[^/]*$/, '/postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
    }
  }
  return clean;
}

async function main([command, ...args]: string[]): Promise<number> {
  switch (command) {
    case 'run':
      for (const side of sidesFrom(args[0])) {
        await ensureDatabaseExists(SIDES[side].url());
        typeormCli(['migration:run'], side);
      }
      return 0;
    case 'revert':
      for (const side of sidesFrom(args[0]).reverse()) typeormCli(['migration:revert'], side);
      return 0;
    case 'show':
      for (const side of sidesFrom(args[0])) typeormCli(['migration:show'], side);
      return 0;
    case 'generate': {
      const [side, name] = args;
      if (!side || !name) throw new Error('usage: generate <command-api|query-api> <Name>');
      typeormCli(['migration:generate', '--pretty', join('migrations', sidesFrom(side)[0], name)], sidesFrom(side)[0]);
      console.log(`Add the new class to migrations/${side}/index.ts (migrations are listed, not globbed).`);
      return 0;
    }
    case 'check':
      return (await check(sidesFrom(args[0]))) ? 0 : 1;
    default:
      throw new Error('usage: migration.ts run|revert|show|generate|check [side]');
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
