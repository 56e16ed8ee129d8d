import { Client } from 'pg';
import { useSafeJsonParsing } from './pg-json';

/** jsonb read back through pg, after the read that trips V8's JSON.parse (see parseJson). */
describe('useSafeJsonParsing', () => {
  let client: Client;

  beforeAll(async () => {
    useSafeJsonParsing();
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
  });
  afterAll(() => client?.end());

  it('reads a `"` key as `"` after a row with a `\\` key', async () => {
    const read = async (json: string) =>
      ((await client.query('SELECT $1::jsonb AS value', [json])).rows[0] as { value: Record<string, unknown> }).value;
    // jsonb orders keys by length: the empty key comes first, as in the object the soak caught.
    expect(Object.keys(await read('{"":[],"\\\\":0}'))).toEqual(['', '\\']);
    expect(Object.keys(await read('{"":1,"\\"":2}'))).toEqual(['', '"']);
    expect(await read('{"settings":{"":1,"\\"":2,"ZwE":3}}')).toEqual({ settings: { '': 1, '"': 2, ZwE: 3 } });
  });
});
