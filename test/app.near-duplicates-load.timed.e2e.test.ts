import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { Store } from '../src/db/store.js';
import { activate, createVersion, newProduct } from '../harness/catalog-fixtures.js';
import { randomVector, seededRandom } from '../harness/vectors.js';

// The whole service over real sockets, on a catalog of products without a
// single duplicate in a trained 512-d space: every nearDuplicates page scans
// as many products as a page may before it gives up.
const PRODUCTS = 400;
/** What a request that touches nothing may take while others search; the issue measured 4.4-7.8 s. */
const HEALTHZ_MS = 200;
const REQUESTS = 4;
const PAGE = 'nearDuplicates(maxDistance: 0, first: 1) { edges { node { distance } } }';
const aliases = (count: number) => JSON.stringify({ query: `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${PAGE}`).join(' ')} }` });

async function serve(env: Record<string, string> = {}): Promise<App> {
  const app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', ...env }));
  const store = new Store(app.services.database.db);
  const random = seededRandom(3);
  const products = await store.products.insertMany(Array.from({ length: PRODUCTS }, (_, i) => newProduct(`sku${i}`, randomVector(random, 2048))));
  await activate(store, await createVersion(store, new Map(products.map((p) => [p.id, randomVector(random, 512)]))));
  return app;
}

/** Sends the bodies at once and polls /healthz until every answer is in: the answers, and each /healthz's milliseconds. */
async function underLoad(app: App, bodies: string[]): Promise<{ answers: any[]; healthz: number[] }> {
  let settled = false;
  const requests = Promise.all(
    bodies.map((body) => fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json())),
  ).finally(() => (settled = true));
  const healthz: number[] = [];
  do {
    const started = performance.now();
    const response = await fetch(new URL('/healthz', app.url));
    assert.equal(response.status, 200);
    healthz.push(performance.now() - started);
  } while (!settled);
  return { answers: await requests, healthz };
}

describe('nearDuplicates aliases do not hold the event loop', () => {
  let app: App;
  before(async () => (app = await serve()));
  after(() => app?.stop());

  test('four requests of 30 one-pair pages are refused by their price before they run, and /healthz answers meanwhile', async () => {
    const { answers, healthz } = await underLoad(app, Array(REQUESTS).fill(aliases(30)));
    for (const answer of answers) {
      assert.equal(answer.data, undefined, 'nothing ran');
      const { code, limit, price, max } = answer.errors[0].extensions;
      assert.deepEqual({ code, limit }, { code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
      assert.ok(price > max, `priced ${price}, at most ${max}`);
    }
    assert.ok(Math.max(...healthz) < HEALTHZ_MS, `/healthz took ${Math.max(...healthz).toFixed(0)} ms`);
  });
});

describe('with the price lifted, nearDuplicates pages still pause for other requests', () => {
  let app: App;
  before(async () => (app = await serve({ MAX_QUERY_COST: '1000000' })));
  after(() => app?.stop());

  test('four requests of 10 pages that each scan 200 products all answer, and /healthz answers meanwhile', async () => {
    const { answers, healthz } = await underLoad(app, Array(REQUESTS).fill(aliases(10)));
    for (const answer of answers) {
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.deepEqual(Object.values(answer.data), Array(10).fill({ edges: [] }), 'no pair in a catalog without duplicates');
    }
    assert.ok(healthz.length > 1, 'polled while the pages ran');
    assert.ok(Math.max(...healthz) < HEALTHZ_MS, `/healthz took up to ${Math.max(...healthz).toFixed(0)} ms over ${healthz.length} polls`);
  });
});
