import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { buildApp, type HttpApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';

// Refusals by Node's parser and Fastify's router, over raw sockets to the edge listening on loopback.
const MARKER = '<b>echoed-marker<b>';
const config = loadConfig({ LOG_LEVEL: 'silent', REQUEST_TIMEOUT_MS: '1000' });
let app: HttpApp;
let port: number;

before(async () => {
  app = await buildApp(config, createLogger(config));
  port = new URL(await app.server.listen({ host: '127.0.0.1', port: 0 })).port as unknown as number;
});
after(() => app?.close());

interface RawAnswer {
  status: number;
  headers: string;
  body: any;
  text: string;
}

/** Writes the bytes (all at once, or the first part and then nothing more), reads until the server closes. */
async function raw(request: string): Promise<RawAnswer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(request);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('utf8');
  const [head, ...rest] = text.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head!)?.[1]), headers: head!, body: JSON.parse(body), text };
}

function assertRefusal(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text.slice(0, 300));
  assert.match(answer.headers, /content-type: application\/json/i);
  assert.equal(answer.body.errors.length, 1);
  assert.equal(answer.body.errors[0].extensions.code, code);
  assert.equal(typeof answer.body.errors[0].message, 'string');
  assert.ok(!answer.text.includes('echoed-marker'), answer.text.slice(0, 300));
}

test('a request line and headers over Node\'s limit are 431 HEADERS_TOO_LARGE, echoing nothing', async () => {
  const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${MARKER}${'a'.repeat(20_000)}\r\n\r\n`);
  assertRefusal(answer, 431, 'HEADERS_TOO_LARGE');
});

test('a URL over Node\'s limit is 431 HEADERS_TOO_LARGE too, echoing nothing', async () => {
  const answer = await raw(`GET /${MARKER}${'u'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assertRefusal(answer, 431, 'HEADERS_TOO_LARGE');
});

test('bytes that are not HTTP are 400 BAD_REQUEST, echoing nothing', async () => {
  assertRefusal(await raw(`${MARKER} /healthz HTTP/1.1\r\nHost: x\r\n\r\n`), 400, 'BAD_REQUEST');
  assertRefusal(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\n${MARKER}\r\n\r\n`), 400, 'BAD_REQUEST');
});

test('a request whose headers are not sent whole within REQUEST_TIMEOUT_MS is 408 REQUEST_TIMEOUT', async () => {
  const started = performance.now();
  const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${MARKER}`);
  assertRefusal(answer, 408, 'REQUEST_TIMEOUT');
  assert.ok(performance.now() - started < 5_000);
});

test('a path parameter over the router\'s limit is 414 URI_TOO_LONG, echoing nothing', async () => {
  const answer = await raw(`GET /products/${'9'.repeat(5_000)}${MARKER}/thumbnail.webp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assertRefusal(answer, 414, 'URI_TOO_LONG');
});

test('a path that does not decode is 400 BAD_REQUEST, echoing nothing', async () => {
  const answer = await raw(`GET /products/%E0%A4%A${encodeURIComponent(MARKER)}/thumbnail.webp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assertRefusal(answer, 400, 'BAD_REQUEST');
});
