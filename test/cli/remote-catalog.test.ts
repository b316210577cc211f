import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteCatalog, RemoteImportError, type Retry } from '../../src/cli/remote-catalog.js';
import { closedUrl } from '../support/free-port.js';

const PRODUCT = { sku: 'cat-1', name: 'Chelsea', category: 'cats', image: new Uint8Array([1, 2, 3]) };

test('a service that stays out of reach fails the batch after the given tries, naming the service and why', async () => {
  const url = await closedUrl();
  const remote = new RemoteCatalog([url], { attempts: 3, backoffMs: 5 });
  await assert.rejects(remote.addProducts([PRODUCT]), (error: unknown) => {
    assert.ok(error instanceof RemoteImportError);
    assert.equal(error.message, `${url}: cannot be reached (ECONNREFUSED); gave up after 3 tries`);
    return true;
  });
});

test('each retry is told before its wait: the service, why, the try to come and the wait', async () => {
  const url = await closedUrl();
  const retries: Retry[] = [];
  const remote = new RemoteCatalog([url], { attempts: 3, backoffMs: 5, onRetry: (retry) => retries.push(retry) });
  await assert.rejects(remote.addProducts([PRODUCT]), RemoteImportError);
  assert.deepEqual(retries.map(({ url, reason, next, attempts }) => ({ url, reason, next, attempts })), [
    { url, reason: 'cannot be reached (ECONNREFUSED)', next: 2, attempts: 3 },
    { url, reason: 'cannot be reached (ECONNREFUSED)', next: 3, attempts: 3 },
  ]);
  // 5 ms then 10 ms, each with ±50 % jitter.
  assert.ok(retries[0]!.waitMs >= 2.5 && retries[0]!.waitMs <= 7.5, String(retries[0]!.waitMs));
  assert.ok(retries[1]!.waitMs >= 5 && retries[1]!.waitMs <= 15, String(retries[1]!.waitMs));
});

test('Ctrl-C during the wait between tries stops the import at once', async () => {
  const controller = new AbortController();
  const remote = new RemoteCatalog([await closedUrl()], { attempts: 3, backoffMs: 3_600_000, signal: controller.signal });
  const adding = remote.addProducts([PRODUCT]);
  setTimeout(() => controller.abort(new Error('interrupted')), 50);
  await assert.rejects(adding, /interrupted/);
});

test('at least one service URL is needed', () => {
  assert.throws(() => new RemoteCatalog([]), RangeError);
});

test('the batches in flight must be a positive whole number', () => {
  for (const concurrency of [0, -1, 1.5]) {
    assert.throws(() => new RemoteCatalog(['http://127.0.0.1:1/'], { concurrency }), RangeError);
  }
});
