import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildApp, type HttpApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Store } from '../../src/db/store.js';
import { createLogger } from '../../src/http/logger.js';
import type { Services } from '../../src/services.js';
import { DATABASE_KINDS } from '../support/database.js';
import { createTestServices } from '../support/services.js';
import { newProduct } from '../../harness/catalog-fixtures.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

// The HTTP edge through `inject`, around real services on each driver: GET
// reads with their Cache-Control, ETag and persisted queries, 304s, the
// answer cache, and writes made behind the edge's back (as another process
// sharing the database would).
const config = loadConfig({ DATA_DIR: 'memory://', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', CATALOG_MAX_AGE_SECONDS: '30' });
const SIMILAR = `query Similar($id: ID!) { similarProducts(id: $id, k: 3) { space neighbours { rank product { id name } } } }`;
const SIMILAR_HASH = createHash('sha256').update(SIMILAR).digest('hex');
const COUNT = `{ products(first: 0) { totalCount } }`;
const CSRF = { 'apollo-require-preflight': 'true' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

for (const kind of DATABASE_KINDS) describe(`cacheable reads at the HTTP edge, on ${kind}`, () => {
  let app: HttpApp;
  let services: Services;
  let store: Store;
  let ids: number[];
  const random = seededRandom(25);

  async function get(params: Record<string, unknown>, headers: Record<string, string> = CSRF): Promise<Answer> {
    const search = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
    const reply = await app.server.inject({ url: `/?${search}`, headers });
    return { status: reply.statusCode, headers: reply.headers, body: reply.body };
  }
  const similar = (id: number, headers?: Record<string, string>) =>
    get({ extensions: { persistedQuery: { version: 1, sha256Hash: SIMILAR_HASH } }, variables: { id: String(id) }, query: SIMILAR }, headers);

  async function outcomes(): Promise<Record<string, number>> {
    const metrics = (await app.server.inject('/metrics')).body;
    return Object.fromEntries([...metrics.matchAll(/^lookalike_catalog_reads_total\{outcome="(\w+)"\} (\d+)$/gm)].map(([, outcome, count]) => [outcome!, Number(count)]));
  }

  before(async () => {
    app = await buildApp(config, createLogger(config));
    services = await createTestServices(kind);
    store = new Store(services.database.db);
    ids = (await store.products.insertMany(Array.from({ length: 12 }, (_, i) => newProduct(`read-${i}`, randomVector(random, 2048))))).map((p) => p.id);
    await app.serve(services);
  });
  after(async () => {
    await app?.close();
    await services?.close();
  });

  test('a catalog read over GET is public for CATALOG_MAX_AGE_SECONDS, with an ETag', async () => {
    const answer = await get({ query: COUNT });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'max-age=30, public');
    assert.match(String(answer.headers.etag), /^W\/"[\w-]{43}"$/);
    assert.deepEqual(JSON.parse(answer.body), { data: { products: { totalCount: ids.length } } });
  });

  test('a read that carries an image is private; one of a token, training or facets is no-store, without an ETag', async () => {
    const thumbnail = await get({ query: `{ product(id: ${ids[0]}) { thumbnail } }` });
    assert.equal(thumbnail.headers['cache-control'], 'max-age=30, private');
    assert.ok(thumbnail.headers.etag);
    for (const query of [`{ service { catalogSize tokenAccepted } }`, `{ trainingRuns { id } }`, `{ attributeFacets { key } }`]) {
      const answer = await get({ query });
      assert.equal(answer.status, 200, query);
      assert.equal(answer.headers['cache-control'], 'no-store', query);
      assert.equal(answer.headers.etag, undefined, query);
    }
  });

  test('a persisted query over GET: the hash alone is unknown at first, the hash with its document registers it, then the hash alone answers', async () => {
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: SIMILAR_HASH } }, variables: { id: String(ids[1]) } };
    const unknown = await get(hashOnly);
    assert.equal(JSON.parse(unknown.body).errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
    const registered = await get({ ...hashOnly, query: SIMILAR });
    assert.equal(registered.status, 200);
    const again = await get(hashOnly);
    assert.equal(again.status, 200);
    assert.equal(again.headers['cache-control'], 'max-age=30, public');
    assert.equal(again.body, registered.body);
    assert.equal(again.headers.etag, registered.headers.etag, 'the same request: the hash stands for its document');
    assert.equal(JSON.parse(again.body).data.similarProducts.neighbours.length, 3);
  });

  test('If-None-Match holding the current ETag is 304, with no body, the same headers, and the query not run', async () => {
    const first = await similar(ids[2]!);
    const before = await outcomes();
    const revalidated = await similar(ids[2]!, { ...CSRF, 'if-none-match': `W/"other", ${first.headers.etag}` });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body, '');
    assert.equal(revalidated.headers['content-length'], undefined);
    assert.equal(revalidated.headers.etag, first.headers.etag);
    assert.equal(revalidated.headers['cache-control'], 'max-age=30, public');
    const counted = await outcomes();
    assert.equal(counted.not_modified, before.not_modified! + 1);
    assert.equal(counted.miss, before.miss, 'nothing ran');
    assert.equal(counted.hit, before.hit, 'not even the cache was read');
  });

  test('a write behind the edge changes the ETag from the next request on, and no answer from before it is served', async () => {
    const before = await get({ query: COUNT });
    assert.equal((await get({ query: COUNT }, { ...CSRF, 'if-none-match': String(before.headers.etag) })).status, 304);
    await store.products.insertMany([newProduct('read-late', randomVector(random, 2048))]);
    const after = await get({ query: COUNT }, { ...CSRF, 'if-none-match': String(before.headers.etag) });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.equal(JSON.parse(after.body).data.products.totalCount, JSON.parse(before.body).data.products.totalCount + 1);
  });

  test('an identical read is answered from the cache; identical reads sent together run once', async () => {
    const before = await outcomes();
    const first = await similar(ids[3]!);
    const second = await similar(ids[3]!);
    assert.equal(second.body, first.body);
    const together = await Promise.all(Array.from({ length: 5 }, () => similar(ids[4]!)));
    assert.equal(new Set(together.map((answer) => answer.body)).size, 1);
    const counted = await outcomes();
    assert.equal(counted.miss! - before.miss!, 2, 'one run for each product');
    assert.equal(counted.hit! + counted.shared! - before.hit! - before.shared!, 5);
  });

  test('/metrics shows the cache: reads by outcome, the hit ratio, its bytes and answers', async () => {
    const metrics = (await app.server.inject('/metrics')).body;
    assert.match(metrics, /^lookalike_catalog_reads_hit_ratio 0\.\d+$/m);
    assert.match(metrics, /^lookalike_answer_cache_bytes [1-9]\d*$/m);
    assert.match(metrics, /^lookalike_answer_cache_answers [1-9]\d*$/m);
  });

  test('GET needs a CSRF header, and never runs a mutation', async () => {
    const unprotected = await get({ query: COUNT }, {});
    assert.equal(unprotected.status, 400);
    assert.match(unprotected.body, /CSRF/);
    const mutation = await get({ query: `mutation { deleteProduct(id: ${ids[0]}) { id } }` });
    assert.equal(mutation.status, 405);
    assert.equal(JSON.parse((await get({ query: `{ product(id: ${ids[0]}) { id } }` })).body).data.product.id, String(ids[0]));
  });

  test('hostile GET reads get a 4xx with a stable code or a plain answer, never a 500 nor the answer to another document', async () => {
    const codeOf = (answer: Answer) => JSON.parse(answer.body).errors?.[0]?.extensions?.code as string | undefined;
    // A hash that is not the document's: refused, and nothing is registered under it.
    const wrongHash = createHash('sha256').update('{ __typename }').digest('hex');
    const mismatched = await get({ extensions: { persistedQuery: { version: 1, sha256Hash: wrongHash } }, query: COUNT });
    assert.ok(mismatched.status >= 400 && mismatched.status < 500, `status ${mismatched.status}: ${mismatched.body}`);
    assert.equal(codeOf(mismatched), 'BAD_REQUEST', mismatched.body);
    assert.equal(mismatched.status, 400);
    const afterwards = await get({ extensions: { persistedQuery: { version: 1, sha256Hash: wrongHash } } });
    assert.equal(codeOf(afterwards), 'PERSISTED_QUERY_NOT_FOUND');
    // extensions and variables that are not JSON, or not objects.
    for (const params of [{ query: COUNT, extensions: '{"persistedQuery":' }, { query: COUNT, variables: '[1,2' }, { extensions: '"a string"' }, { extensions: { persistedQuery: { version: 2, sha256Hash: 'zz' } } }]) {
      const answer = await get(params);
      assert.ok(answer.status >= 400 && answer.status < 500, `${JSON.stringify(params)}: status ${answer.status}`);
    }
    // If-None-Match that matches nothing, however it is formed: the answer itself.
    const plain = JSON.parse((await get({ query: COUNT })).body);
    for (const tag of ['*x', 'W/"', '"unterminated', `W/"${'x'.repeat(4000)}"`, ',,,', 'W/"a", , W/""']) {
      const answer = await get({ query: COUNT }, { ...CSRF, 'if-none-match': tag });
      assert.equal(answer.status, 200, tag);
      assert.deepEqual(JSON.parse(answer.body), plain, tag);
    }
  });

  test('a browser asking for the page, with neither a query nor a hash, still gets the page', async () => {
    const page = await app.server.inject({ url: '/', headers: { accept: 'text/html' } });
    assert.match(String(page.headers['content-type']), /^text\/html/);
  });
});
