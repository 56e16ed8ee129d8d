import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { EventFeedClient } from './event-feed.client';

/** The feed client reads pages as they were written, including keys that trip V8's JSON.parse (see parseJson). */
describe('EventFeedClient', () => {
  let server: Server;
  let baseUrl: string;
  // Two events whose data have the shapes of nodejs/node#63785: a `\` key, then an escaped `"` key.
  const page = '{"events":[{"id":"a","data":{"":[],"\\\\":0}},{"id":"b","data":{"":1,"\\"":2}}],"next":"2"}';

  beforeAll(async () => {
    server = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(page));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads a `"` key as `"` after an event with a `\\` key', async () => {
    for (let read = 0; read < 3; read++) {
      const { events } = await new EventFeedClient(baseUrl).page('0', 2);
      expect(events.map((event) => Object.keys(event.data as object))).toEqual([
        ['', '\\'],
        ['', '"'],
      ]);
    }
  });
});
