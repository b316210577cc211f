import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fetchImage, MAX_FETCH_IDLE_MS, type ImageFetchOptions, type Resolve } from '../../src/catalog/image-fetch.js';
import { rejectsWith } from '../support/rejects-with.js';
import { bytesRoute, startImageServer, type ImageServer } from '../support/image-server.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(1000, 7)]);
let server: ImageServer;

before(async () => {
  server = await startImageServer({
    '/image.png': bytesRoute(PNG),
    '/declares-too-much.png': (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': 10_000_000 });
      response.write(PNG);
    },
    '/silent.png': (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(PNG.subarray(0, 8));
    },
  });
});
after(() => server.close());

/** A name server for names that do not exist outside this test. */
function names(table: Record<string, string[]>, calls: string[] = []): Resolve {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`no such name ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const options = (overrides: Partial<ImageFetchOptions> = {}): ImageFetchOptions => ({ maxBytes: 5000, timeoutMs: 10_000, allowedHosts: [], ...overrides });
const counted = () => {
  const seen = { bytes: 0 };
  return { seen, call: { count: (bytes: number) => void (seen.bytes += bytes) } };
};

test('with no hosts listed a loopback link is refused and the server is never asked', async () => {
  const before = server.requested.length;
  const error = await rejectsWith(fetchImage(`${server.origin}/image.png`, options(), counted().call), 'IMAGE_URL_FORBIDDEN');
  assert.deepEqual(error.details, { reason: 'address', addressClass: 'loopback' });
  assert.equal(server.requested.length, before);
});

test('a name is refused when any one of its addresses is forbidden, before connecting', async () => {
  const resolve = names({ 'shop.test': ['93.184.216.34', '10.1.2.3'], 'meta.test': ['169.254.169.254'] });
  const mixed = await rejectsWith(fetchImage('http://shop.test/cat.png', options({ resolve }), counted().call), 'IMAGE_URL_FORBIDDEN');
  assert.equal(mixed.details.addressClass, 'private');
  const metadata = await rejectsWith(fetchImage('http://meta.test/', options({ resolve }), counted().call), 'IMAGE_URL_FORBIDDEN');
  assert.equal(metadata.details.addressClass, 'cloud metadata');
});

test("the clouds' metadata names are refused without being resolved", async () => {
  const calls: string[] = [];
  const error = await rejectsWith(fetchImage('http://metadata.google.internal./computeMetadata/v1/', options({ resolve: names({}, calls) }), counted().call), 'IMAGE_URL_FORBIDDEN');
  assert.equal(error.details.addressClass, 'cloud metadata');
  assert.deepEqual(calls, []);
});

test('the connection goes to the address that was checked: a name is resolved once a hop, so it cannot rebind to another', async () => {
  const calls: string[] = [];
  let answers = 0;
  // The first answer is the listed address; any later one would be a private address nobody checked.
  const rebinding: Resolve = async (hostname) => {
    calls.push(hostname);
    return [{ address: answers++ === 0 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
  };
  const { seen, call } = counted();
  const bytes = await fetchImage(`http://images.test:${server.port}/image.png`, options({ resolve: rebinding, allowedHosts: ['127.0.0.1'] }), call);
  assert.deepEqual(Buffer.from(bytes), PNG);
  assert.deepEqual(calls, ['images.test']);
  assert.equal(seen.bytes, PNG.length);
});

test('a listed name may resolve to a private address; an unlisted one may not', async () => {
  const resolve = names({ 'images.internal': ['127.0.0.1'], 'other.internal': ['127.0.0.1'] });
  const bytes = await fetchImage(`http://images.internal:${server.port}/image.png`, options({ resolve, allowedHosts: ['Images.Internal'] }), counted().call);
  assert.equal(bytes.length, PNG.length);
  await rejectsWith(fetchImage(`http://other.internal:${server.port}/image.png`, options({ resolve, allowedHosts: ['images.internal'] }), counted().call), 'IMAGE_URL_FORBIDDEN');
});

test('a Content-Length over the limit is refused before a byte of the body is read', async () => {
  const { seen, call } = counted();
  const error = await rejectsWith(fetchImage(`${server.origin}/declares-too-much.png`, options({ allowedHosts: ['127.0.0.1'] }), call), 'IMAGE_FETCH_FAILED');
  assert.equal(error.details.reason, 'too large');
  assert.equal(seen.bytes, 0);
});

test(`a server silent for ${MAX_FETCH_IDLE_MS} ms is cut as stalled, before the time limit`, async () => {
  const started = performance.now();
  const error = await rejectsWith(fetchImage(`${server.origin}/silent.png`, options({ allowedHosts: ['127.0.0.1'], timeoutMs: 60_000 }), counted().call), 'IMAGE_FETCH_FAILED');
  assert.equal(error.details.reason, 'stalled');
  assert.ok(performance.now() - started < MAX_FETCH_IDLE_MS + 2_000);
});

test('a client that has gone stops the fetch: REQUEST_ABORTED', async () => {
  const gone = new AbortController();
  const fetching = fetchImage(`${server.origin}/silent.png`, options({ allowedHosts: ['127.0.0.1'] }), { signal: gone.signal, count: () => {} });
  setTimeout(() => gone.abort(), 100);
  await rejectsWith(fetching, 'REQUEST_ABORTED');
});

test('a closed port, an unknown name and a link that is not a URL each fail with their reason', async () => {
  const closed = await startImageServer({});
  await closed.close();
  const refused = await rejectsWith(fetchImage(`${closed.origin}/image.png`, options({ allowedHosts: ['127.0.0.1'] }), counted().call), 'IMAGE_FETCH_FAILED');
  assert.equal(refused.details.reason, 'connection refused');
  const unknown = await rejectsWith(fetchImage('https://nowhere.test/x.png', options({ resolve: names({}) }), counted().call), 'IMAGE_FETCH_FAILED');
  assert.equal(unknown.details.reason, 'host not found');
  for (const link of ['not a url', '/relative.png', `http://x.test/${'a'.repeat(3000)}`]) {
    await rejectsWith(fetchImage(link, options(), counted().call), 'BAD_USER_INPUT');
  }
  for (const link of ['file:///etc/passwd', 'ftp://x.test/a.png', 'gopher://127.0.0.1:25/', 'data:image/png;base64,AAAA']) {
    const error = await rejectsWith(fetchImage(link, options(), counted().call), 'IMAGE_URL_FORBIDDEN');
    assert.equal(error.details.reason, 'scheme', link);
  }
});
