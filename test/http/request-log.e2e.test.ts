import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { buildApp, type HttpApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, MAX_LOGGED_STRING } from '../../src/http/logger.js';

// The edge alone, listening on a real socket, its log captured line by line.
const SECRET = 'Zq8sV3nW1xT6yL0pR4mK';
const config = loadConfig({ LOG_LEVEL: 'info', ADMIN_TOKEN: 'e3b0c44298fc1c149afbf4c8996fb924' });
const lines: string[] = [];
let app: HttpApp;
let url: string;

before(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  app = await buildApp(config, createLogger(config, sink));
  url = await app.server.listen({ host: '127.0.0.1', port: 0 });
});
after(() => app?.close());

/** The log lines of one request, found by the id it was answered with. */
async function logOf(path: string, init: RequestInit = {}): Promise<Record<string, any>[]> {
  const response = await fetch(`${url}${path}`, init);
  await response.arrayBuffer();
  const id = response.headers.get('x-request-id')!;
  // Fastify writes the completion line once the answer is sent.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return lines.filter((line) => line.includes(id)).map((line) => JSON.parse(line));
}

test('a request is logged with its method, path without the query string, remote address, status, duration and id', async () => {
  const entries = await logOf(`/healthz?token=${SECRET}`, { headers: { 'x-request-id': 'trace-1' } });
  const incoming = entries.find((entry) => entry.msg === 'incoming request')!;
  assert.deepEqual(incoming.req, { method: 'GET', path: '/healthz', remoteAddress: '127.0.0.1' });
  assert.equal(incoming.reqId, 'trace-1');
  const completed = entries.find((entry) => entry.msg === 'request completed')!;
  assert.deepEqual(completed.res, { statusCode: 200 });
  assert.equal(typeof completed.responseTime, 'number');
});

test('a token in the query string or the Authorization header is in no log line', async () => {
  const sent = [
    logOf(`/?token=${SECRET}`),
    logOf(`/?query=${encodeURIComponent('{ service { catalogSize } }')}&token=${SECRET}`, { headers: { authorization: `Bearer ${SECRET}` } }),
    logOf('/', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: '{"query":"mutation { trainModel { trainingRun { id } } }"}' }),
    logOf(`/no/such/route?access_token=${SECRET}`),
  ];
  for (const entries of await Promise.all(sent)) assert.ok(entries.length >= 2);
  assert.deepEqual(lines.filter((line) => line.includes(SECRET)), []);
});

test('an image sent as a GET query\'s variables is in no log line, and every line is short', async () => {
  const image = Buffer.alloc(9_600, 7).toString('base64');
  const variables = encodeURIComponent(JSON.stringify({ image }));
  const entries = await logOf(`/?query=${encodeURIComponent('query ($image: String!) { similarToImage(image: $image) { space } }')}&variables=${variables}`);
  assert.ok(entries.length >= 2);
  assert.deepEqual(lines.filter((line) => line.includes(image.slice(0, 100))), []);
  const longest = Math.max(...lines.map((line) => line.length));
  assert.ok(longest < 2 * MAX_LOGGED_STRING, `a line of ${longest} characters`);
});

test('a path longer than the cap is logged cut to it', async () => {
  const long = `/${'p'.repeat(3 * MAX_LOGGED_STRING)}`;
  const entries = await logOf(long);
  const incoming = entries.find((entry) => entry.msg === 'incoming request')!;
  assert.ok(incoming.req.path.length < MAX_LOGGED_STRING + 40, `${incoming.req.path.length} characters`);
  assert.ok(incoming.req.path.startsWith('/ppp'));
});
