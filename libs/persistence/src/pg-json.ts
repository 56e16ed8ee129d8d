import { types } from 'pg';
import { parseJson } from '@analytics/json';

const JSON_OID = 114;
const JSONB_OID = 3802;

/**
 * Makes pg read json and jsonb columns with parseJson rather than JSON.parse (see parseJson: a V8
 * bug can change escaped keys). pg's type parsers are process-wide, and TypeORM uses the same pg,
 * so once is enough; it is done for every data source (buildDataSourceOptions).
 */
export function useSafeJsonParsing(): void {
  types.setTypeParser(JSON_OID, (text) => parseJson(text));
  types.setTypeParser(JSONB_OID, (text) => parseJson(text));
}
