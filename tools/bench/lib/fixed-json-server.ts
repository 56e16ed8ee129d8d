/**
 * The cached-query figure's baseline: a bare Fastify server (no plugins, no logging) answering
 * every GET with one fixed JSON body, read from a file. `node -r ts-node/register/transpile-only
 * fixed-json-server.ts <port> <body file>`.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => {
  void reply.header('content-type', 'application/json; charset=utf-8').send(body);
});
app.listen({ port: Number(port), host: '127.0.0.1' }).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
