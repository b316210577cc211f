import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, requestBodyLimits, type HttpApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { BodyBudget } from '../../src/http/body-budget.js';
import { createLogger } from '../../src/http/logger.js';

const KiB = 1024;

test('bytes are reserved as they arrive, within the capacity; one request may hold a quarter of it', () => {
  const budget = new BodyBudget(1000);
  assert.equal(budget.share, 250);
  assert.ok(budget.tryReserve(600));
  assert.ok(budget.tryReserve(400));
  assert.ok(!budget.tryReserve(1), 'past the capacity');
  budget.release(600);
  assert.ok(budget.tryReserve(600));
  assert.equal(budget.inUse, 1000);
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  /** The socket's error, if the client saw one (a reset while it was still sending). */
  socketError: string | undefined;
}

/**
 * A client on a raw socket: sends the head of a POST declaring `declared`
 * bytes, then `sent` bytes of its body; `rest()` sends the remainder. The
 * answer resolves once the server has answered and closed or kept the
 * connection, with any socket error the client saw.
 */
function rawPost(port: number, declared: number, sent: number, contentType = 'application/json') {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const [head, tail] = ['{"query":"{ __typename }","variables":{"pad":"', '"}}'];
  const body = Buffer.from(head + 'x'.repeat(Math.max(0, declared - head.length - tail.length)) + tail);
  let socketError: string | undefined;
  socket.on('error', (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
  const answer = new Promise<RawAnswer>((resolve) => {
    let text = '';
    const settle = () => {
      const [headText = '', bodyText = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = headText.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      let parsed: unknown;
      try {
        parsed = JSON.parse(bodyText);
      } catch {
        parsed = bodyText;
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: parsed, socketError });
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const [headText, bodyText] = text.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(headText ?? '')?.[1]);
      if (bodyText !== undefined && Buffer.byteLength(bodyText, 'latin1') >= length) settle();
    });
    socket.on('close', settle);
  });
  socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${declared}\r\n\r\n`);
  if (sent > 0) socket.write(body.subarray(0, sent));
  return {
    answer,
    rest: () => new Promise<void>((resolve) => socket.write(body.subarray(sent, declared), () => resolve())),
    close: () => socket.destroy(),
  };
}

async function listening(config: Config): Promise<{ app: HttpApp; port: number }> {
  const app = await buildApp(config, createLogger(config));
  const url = new URL(await app.server.listen({ host: '127.0.0.1', port: 0 }));
  return { app, port: Number(url.port) };
}

// The edge alone, without services: a body that gets through answers
// SERVICE_STARTING, one the budget refuses answers TOO_BUSY.
describe('request bodies in flight over HTTP', () => {
  // A budget of 4 MiB: one request may hold 1 MiB.
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0', MAX_BODY_BYTES_IN_FLIGHT: String(4096 * KiB), MAX_IMAGE_BYTES: String(200 * KiB), MAX_IMAGES_PER_REQUEST: '4' });
  const share = requestBodyLimits(config).maxMultipartBytes;
  let app: HttpApp;
  let port: number;

  before(async () => ({ app, port } = await listening(config)));
  after(() => app?.close());

  test('no request body may be larger than a quarter of the budget', () => {
    assert.equal(share, 1024 * KiB);
    assert.ok(requestBodyLimits(config).maxJsonBytes <= share);
  });

  test('a body declared larger than its limit answers 413 at once, before any of it is sent', async () => {
    const huge = rawPost(port, 300 * 1024 * KiB, 0);
    const answer = await huge.answer;
    huge.close();
    assert.equal(answer.status, 413);
    assert.equal(answer.body.errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
  });

  test('connections that declare bodies and send nothing hold nothing: every route still answers, bodies are still read', async () => {
    const idle = Array.from({ length: 8 }, () => rawPost(port, requestBodyLimits(config).maxJsonBytes, 0));
    await sleep(200);
    try {
      for (const path of ['/healthz', '/readyz', '/metrics', '/?query=%7B__typename%7D']) {
        const answer = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.notEqual((await answer.text()).includes('TOO_BUSY'), true, path);
      }
      const post = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(500 * KiB) } }),
      });
      assert.equal((await post.json()).errors[0].extensions.code, 'SERVICE_STARTING', 'the body was read whole');
    } finally {
      for (const client of idle) client.close();
    }
  });

  test('a body that would take the bytes in flight past the budget answers 503 TOO_BUSY with Retry-After; later it is admitted', async () => {
    const holders = Array.from({ length: 4 }, () => rawPost(port, share - KiB, share - 2 * KiB));
    await sleep(300);
    const refused = rawPost(port, 200 * KiB, 200 * KiB);
    const answer = await refused.answer;
    assert.equal(answer.status, 503);
    assert.equal(answer.body.errors[0].extensions.code, 'TOO_BUSY');
    assert.ok(Number(answer.headers['retry-after']) >= 1);
    assert.equal(answer.socketError, undefined, 'an answer, not a reset');
    refused.close();

    await Promise.all(holders.map((holder) => holder.rest()));
    for (const holder of holders) assert.equal((await holder.answer).body.errors[0].extensions.code, 'SERVICE_STARTING');
    for (const holder of holders) holder.close();
    const later = rawPost(port, 200 * KiB, 200 * KiB);
    assert.equal((await later.answer).body.errors[0].extensions.code, 'SERVICE_STARTING');
    later.close();
  });

  test('forty clients sending at once each get an HTTP answer, never a reset', async () => {
    const clients = Array.from({ length: 40 }, () => rawPost(port, 600 * KiB, 300 * KiB));
    await sleep(300);
    await Promise.all(clients.map((client) => client.rest()));
    const answers = await Promise.all(clients.map((client) => client.answer));
    for (const client of clients) client.close();
    const codes = answers.map((answer) => answer.body?.errors?.[0]?.extensions?.code ?? `status ${answer.status} ${answer.socketError}`);
    assert.ok(codes.every((code) => code === 'SERVICE_STARTING' || code === 'TOO_BUSY'), codes.join(', '));
    assert.ok(codes.includes('TOO_BUSY'), 'forty bodies of 600 KiB do not fit in 4 MiB');
    assert.deepEqual(answers.filter((answer) => answer.socketError !== undefined), []);
  });

  test('JSON nested deeper than 32 levels, or of more than 100,000 values, is refused before it is parsed', async () => {
    for (const [variables, why] of [
      [{ deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) }, /nested deeper than 32/],
      [{ wide: new Array(100_001).fill(1) }, /more than 100000 values/],
    ] as const) {
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', variables }) });
      assert.equal(answer.status, 400);
      const body = await answer.json();
      assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');
      assert.match(body.errors[0].message, why);
    }
  });

  test('strings full of brackets, commas and escaped quotes are not structure', async () => {
    const tricky = '[{,"\\"[[[['.repeat(20_000);
    const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', variables: { tricky } }) });
    assert.equal((await answer.json()).errors[0].extensions.code, 'SERVICE_STARTING');
  });
});

describe('a body that trickles in', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0', MIN_BODY_BYTES_PER_SECOND: String(4 * KiB) });
  let app: HttpApp;
  let port: number;

  before(async () => ({ app, port } = await listening(config)));
  after(() => app?.close());

  test('is cut off with 408 REQUEST_TOO_SLOW once it falls below the minimum rate after its first 10 s', async () => {
    const slow = rawPost(port, 1024 * KiB, 100);
    const started = performance.now();
    const answer = await slow.answer;
    const seconds = (performance.now() - started) / 1000;
    slow.close();
    assert.equal(answer.status, 408);
    assert.equal(answer.body.errors[0].extensions.code, 'REQUEST_TOO_SLOW');
    assert.ok(seconds >= 9.5 && seconds < 13, `${seconds.toFixed(1)} s`);
  });
});
