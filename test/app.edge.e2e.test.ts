import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { buildApp, requestBodyLimits, type HttpApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/http/logger.js';
import { createServices, type Services } from '../src/services.js';
import { photoCatalog } from '../harness/photo-catalog.js';
import { readPhoto } from '../harness/photos.js';

// The HTTP edge through `inject`, around real services (an in-memory database,
// the real ResNet50), with an admin token and one allowed origin.
const TOKEN = 'correct-horse-battery-staple-42';
const SHOP = 'https://shop.example';
const config = loadConfig({
  DATA_DIR: 'memory://',
  FEATURE_WORKERS: '1',
  LOG_LEVEL: 'silent',
  ADMIN_TOKEN: TOKEN,
  CORS_ORIGINS: `${SHOP}, https://admin.example`,
  MAX_IMAGE_BYTES: '600000',
  MAX_IMAGES_PER_REQUEST: '4',
});

const CATALOG_SIZE = `{ service { catalogSize } }`;
const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku } } }`;
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`;
const DELETE = `mutation ($id: ID!) { deleteProduct(id: $id) { id } }`;
const TRAIN = `mutation { trainModel(input: { epochs: 1 }) { trainingRun { id status } } }`;

let app: HttpApp;
let services: Services;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const reply = await app.server.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
  return { status: reply.statusCode, headers: reply.headers, body: reply.json() };
}

const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  post({ query, variables }, token === undefined ? {} : { authorization: `Bearer ${token}` });

async function catalogSize(): Promise<number> {
  return (await gql(CATALOG_SIZE)).body.data.service.catalogSize;
}

const base64 = (image: string | Uint8Array) => (typeof image === 'string' ? image : Buffer.from(image).toString('base64'));

before(async () => {
  app = await buildApp(config, createLogger(config));
});
after(async () => {
  await app?.close();
  await services?.training.idle();
  await services?.close();
});

test('without ADMIN_TOKEN on loopback, start-up warns that writes are open to every caller', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  const open = await buildApp(loadConfig({ DATA_DIR: 'memory://', HOST: '127.0.0.1' }), pino({ level: 'info' }, sink));
  await open.close();
  const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 40);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].msg, /ADMIN_TOKEN is not set: every caller on 127\.0\.0\.1 may add, delete and train/);
});

describe('before the services are up', () => {
  test('/healthz is 200, /readyz is 503 saying it is starting, GraphQL is 503 SERVICE_STARTING with Retry-After', async () => {
    assert.equal((await app.server.inject('/healthz')).statusCode, 200);
    const ready = await app.server.inject('/readyz');
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().checks.database, 'starting');
    const { status, headers, body } = await gql(CATALOG_SIZE);
    assert.equal(status, 503);
    assert.equal(headers['retry-after'], '5');
    assert.equal(body.errors[0].extensions.code, 'SERVICE_STARTING');
  });
});

describe('once the services are up', () => {
  let productId: string;

  before(async () => {
    services = await createServices(config, () => {});
    await app.serve(services);
    const [first] = await photoCatalog(1, 7);
    const added = await gql(ADD, { input: { sku: 'kept', name: 'kept', image: base64(first!.image) } }, TOKEN);
    assert.equal(added.body.errors, undefined);
    productId = added.body.data.addProduct.product.id;
  });

  test('/readyz is 200 with every check ok', async () => {
    const ready = await app.server.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { ready: true, checks: { database: 'ok', resnet50: 'ok', searchIndex: 'ok' } });
  });

  describe('every mutation without the admin token, or with a wrong one, is 401 UNAUTHENTICATED and does nothing', () => {
    const credentials: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer correct-horse-battery-staple-43' }],
      ['the token as a prefix', { authorization: `Bearer ${TOKEN}x` }],
      ['the token without Bearer', { authorization: TOKEN }],
      ['Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
    ];
    for (const [what, headers] of credentials) {
      test(what, async () => {
        const image = base64(await readPhoto('chelsea.png'));
        const before = await catalogSize();
        const mutations: [string, Record<string, unknown>][] = [
          [ADD, { input: { sku: 'sneaky', name: 'x', category: 'cats', image } }],
          [ADD_MANY, { inputs: [{ sku: 'sneaky-1', name: 'x', image }] }],
          [DELETE, { id: productId }],
          [TRAIN, {}],
        ];
        for (const [query, variables] of mutations) {
          const { status, headers: answered, body } = await post({ query, variables }, headers);
          assert.equal(status, 401, query);
          assert.equal(answered['www-authenticate'], 'Bearer');
          assert.equal(body.data, undefined);
          assert.equal(body.errors[0].extensions.code, 'UNAUTHENTICATED');
        }
        assert.equal(await catalogSize(), before);
        assert.equal((await gql(`query ($id: ID!) { product(id: $id) { sku } }`, { id: productId })).body.data.product.sku, 'kept');
        assert.deepEqual((await gql(`{ trainingRuns { id } }`)).body.data.trainingRuns, []);
      });
    }
  });

  test('in a document with a query and a mutation, the operation chosen decides', async () => {
    const document = `query Size { service { catalogSize } } mutation Remove { deleteProduct(id: "${productId}") { id } }`;
    const removing = await post({ query: document, operationName: 'Remove' });
    assert.equal(removing.status, 401);
    assert.equal(removing.body.errors[0].extensions.code, 'UNAUTHENTICATED');
    const reading = await post({ query: document, operationName: 'Size' });
    assert.equal(reading.status, 200);
    assert.equal(typeof reading.body.data.service.catalogSize, 'number');
  });

  test('queries need no token', async () => {
    const { status, body } = await gql(`{ products(first: 5) { totalCount } service { database } }`);
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.equal(body.data.service.database, 'pglite');
  });

  test('with the token every mutation works', async () => {
    const catalog = await photoCatalog(3);
    for (const batch of [catalog.slice(0, 3), catalog.slice(3)]) {
      const inputs = batch.map(({ sku, name, category, image }) => ({ sku, name, category, image: base64(image) }));
      const added = await gql(ADD_MANY, { inputs }, TOKEN);
      assert.equal(added.status, 200);
      assert.equal(added.body.errors, undefined);
    }
    assert.equal(await catalogSize(), 7);
    const deleted = await gql(DELETE, { id: productId }, TOKEN);
    assert.deepEqual(deleted.body.data, { deleteProduct: { id: productId } });
    const trained = await gql(TRAIN, {}, TOKEN);
    assert.equal(trained.body.errors, undefined);
    assert.equal(trained.body.data.trainModel.trainingRun.status, 'QUEUED');
    await services.training.idle();
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      app.server.inject({
        method: 'OPTIONS',
        url: '/',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });

    test('a foreign origin gets no Access-Control-Allow-Origin, on the preflight or the request', async () => {
      const answer = await preflight('https://evil.example');
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      const simple = await post({ query: CATALOG_SIZE }, { origin: 'https://evil.example' });
      assert.equal(simple.headers['access-control-allow-origin'], undefined);
    });

    test('a listed origin is allowed, with the Authorization and Content-Type headers', async () => {
      const answer = await preflight(SHOP);
      assert.equal(answer.headers['access-control-allow-origin'], SHOP);
      assert.match(String(answer.headers['access-control-allow-headers']), /authorization/i);
      assert.match(String(answer.headers['access-control-allow-headers']), /content-type/i);
      const simple = await post({ query: CATALOG_SIZE }, { origin: SHOP });
      assert.equal(simple.headers['access-control-allow-origin'], SHOP);
    });
  });

  test('/metrics names the requests, ResNet50, the search index, training and the process', async () => {
    await post({ query: `query Size { service { catalogSize } }`, operationName: 'Size' });
    const answer = await app.server.inject('/metrics');
    assert.equal(answer.statusCode, 200);
    assert.match(String(answer.headers['content-type']), /^text\/plain/);
    for (const name of [
      'lookalike_graphql_requests_total{operation="Size",outcome="ok"}',
      'lookalike_graphql_requests_total{operation="anonymous",outcome="UNAUTHENTICATED"}',
      'lookalike_graphql_request_duration_seconds_bucket',
      'lookalike_resnet50_queued_images',
      'lookalike_resnet50_busy_models',
      'lookalike_resnet50_images_total',
      'lookalike_search_index_products',
      'lookalike_search_helper_running',
      'lookalike_search_helper_batches_total',
      'lookalike_training_running 0',
      'process_cpu_user_seconds_total',
    ]) {
      assert.ok(answer.body.includes(name), name);
    }
    assert.match(answer.body, /lookalike_resnet50_images_total (\d+)/);
    assert.ok(Number(/lookalike_resnet50_images_total (\d+)/.exec(answer.body)![1]) >= 7);
  });

  test('hostile operation names do not grow the metrics without bound', async () => {
    for (let i = 0; i < 150; i++) await post({ query: `query Probe${i} { service { database } }` });
    const body = (await app.server.inject('/metrics')).body;
    const names = new Set([...body.matchAll(/lookalike_graphql_requests_total\{operation="([^"]+)"/g)].map((m) => m[1]));
    assert.ok(names.size <= 102, `${names.size} operation labels`);
    assert.ok(names.has('other'));
  });

  test('a JSON body over the limit is 413 JSON, without a stack or a path, whatever NODE_ENV says', async () => {
    const limit = requestBodyLimits(config).maxJsonBytes;
    assert.equal(limit, 800_000 + 1024 * 1024, 'one image in base64 and 1 MiB');
    const answer = await app.server.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: ADD, variables: { input: { sku: 'huge', name: 'x', image: 'A'.repeat(limit) } } }),
    });
    assert.equal(answer.statusCode, 413);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.equal(answer.json().errors[0].extensions.code, 'PAYLOAD_TOO_LARGE');
    assert.doesNotMatch(answer.body, /\bat \w|node_modules|\/work\/|<html/i);
  });

  test('malformed JSON and unknown routes answer JSON errors without internals', async () => {
    const malformed = await app.server.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: '{"query": ' });
    assert.equal(malformed.statusCode, 400);
    assert.ok(malformed.json().errors[0].extensions.code);
    assert.doesNotMatch(malformed.body, /node_modules|\/work\//);
    const missing = await app.server.inject('/nothing/here');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { errors: [{ message: 'no such route', extensions: { code: 'ROUTE_NOT_FOUND' } }] });
  });

  test('every answer carries a request id: the caller\'s when it is sane, a fresh one otherwise', async () => {
    assert.equal((await app.server.inject({ url: '/healthz', headers: { 'x-request-id': 'shop-7f3a.12' } })).headers['x-request-id'], 'shop-7f3a.12');
    const forged = (await app.server.inject({ url: '/healthz', headers: { 'x-request-id': 'a b\n{"level":60}' } })).headers['x-request-id'];
    assert.match(String(forged), /^[0-9a-f-]{36}$/);
  });

  test('GET / is the storefront page, revalidated on each load, loading nothing from elsewhere; /schema.graphql is the SDL', async () => {
    const page = await app.server.inject('/');
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.body, /<script type="module" src="\/assets\/main-\w+\.js">/);
    assert.doesNotMatch(page.body, /https?:\/\//);
    const schema = await app.server.inject('/schema.graphql');
    assert.match(schema.body, /type Query/);
    assert.match(schema.body, /type Mutation/);
  });

  test('GraphQL over GET still answers queries', async () => {
    const answer = await app.server.inject({ url: `/?query=${encodeURIComponent(CATALOG_SIZE)}`, headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(answer.statusCode, 200);
    assert.equal(typeof answer.json().data.service.catalogSize, 'number');
  });

  // Last: it closes the database under the running app.
  test('/readyz is 503 naming the database when it stops answering, while /healthz stays 200', async () => {
    await services.training.idle();
    await services.database.close();
    const ready = await app.server.inject('/readyz');
    assert.equal(ready.statusCode, 503);
    const { ready: isReady, checks } = ready.json();
    assert.equal(isReady, false);
    assert.match(checks.database, /^unreachable: /);
    assert.equal(checks.resnet50, 'ok');
    assert.equal((await app.server.inject('/healthz')).statusCode, 200);
  });
});
