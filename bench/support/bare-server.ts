// The baseline of bench/api-latency.ts: a bare Fastify route answering the same bytes as the
// measured API route, with no hooks, logging, validation or database.
// usage: node --import tsx bench/support/bare-server.ts <body file>  (prints the port when listening)
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.argv[2]!);
const app = Fastify();
app.get('/bare', (_, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(typeof address === 'object' && address ? address.port : 0);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
