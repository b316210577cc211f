import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { buildApp, type HttpApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { BodyBudget } from '../../src/http/body-budget.js';
import { createLogger } from '../../src/http/logger.js';

test('a request alone is admitted whatever its size; together, bodies stay within the budget', () => {
  const budget = new BodyBudget(1000);
  assert.ok(budget.tryReserve(5000), 'alone');
  assert.ok(!budget.tryReserve(1), 'past the budget');
  budget.release(5000);
  assert.ok(budget.tryReserve(600));
  assert.ok(budget.tryReserve(400));
  assert.ok(!budget.tryReserve(1));
  budget.release(600);
  assert.ok(budget.tryReserve(600));
  assert.equal(budget.inUse, 1000);
});

// The edge alone, without services: a body that gets through answers
// SERVICE_STARTING, one the budget refuses answers TOO_BUSY.
describe('request bodies in flight over HTTP', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0', MAX_BODY_BYTES_IN_FLIGHT: String(64 * 1024) });
  let app: HttpApp;
  let port: number;

  before(async () => {
    app = await buildApp(config, createLogger(config));
    const url = new URL(await app.server.listen({ host: '127.0.0.1', port: 0 }));
    port = Number(url.port);
  });
  after(() => app?.close());

  /** Starts a POST that sends `sent` bytes of a body of `declared` bytes (undefined: chunked) and holds the rest back. */
  function slowPost(declared: number | undefined, sent: number) {
    const held: ReturnType<typeof request>[] = [];
    const [head, tail] = ['{"query":"{ __typename }","variables":{"pad":"', '"}}'];
    const body = Buffer.from(head + 'x'.repeat((declared ?? 100_000) - head.length - tail.length) + tail);
    const answer = new Promise<{ status: number; retryAfter: string | undefined; body: any }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', ...(declared === undefined ? {} : { 'content-length': declared }) } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
      });
      req.on('error', reject);
      held.push(req);
      req.write(body.subarray(0, sent));
    });
    return { answer, finish: () => held[0]!.end(body.subarray(sent, declared ?? body.length)) };
  }

  test('a second large body while the first is still arriving answers TOO_BUSY at once; after the first, it is admitted', async () => {
    const first = slowPost(50_000, 1000);
    await new Promise((r) => setTimeout(r, 100));
    const second = slowPost(50_000, 50_000);
    const refused = await second.answer;
    assert.equal(refused.status, 503);
    assert.equal(refused.body.errors[0].extensions.code, 'TOO_BUSY');
    assert.ok(Number(refused.retryAfter) >= 1);

    first.finish();
    assert.equal((await first.answer).body.errors[0].extensions.code, 'SERVICE_STARTING', 'the first body was read whole');
    const third = slowPost(50_000, 50_000);
    third.finish();
    assert.equal((await third.answer).body.errors[0].extensions.code, 'SERVICE_STARTING');
  });

  test('a chunked body that grows past the budget is cut off with TOO_BUSY', async () => {
    const first = slowPost(50_000, 1000);
    await new Promise((r) => setTimeout(r, 100));
    const chunked = slowPost(undefined, 0);
    chunked.finish();
    const refused = await chunked.answer;
    assert.equal(refused.status, 503);
    assert.equal(refused.body.errors[0].extensions.code, 'TOO_BUSY');
    first.finish();
    await first.answer;
  });
});
