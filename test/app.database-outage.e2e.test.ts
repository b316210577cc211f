import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { startApi, type ApiProcess } from '../harness/api-process.js';
import { startDatabaseServer, type DatabaseServer } from '../harness/database-server.js';
import { graphql } from '../harness/graphql-client.js';
import { readPhoto } from '../harness/photos.js';

// The `pg` path through a database crash: PGlite on a data folder, served
// over the wire protocol by a process of its own, is SIGKILLed while two API
// processes (src/main.ts) serve queries and writes, then started again on the
// same folder and port.

const CONNECT_TIMEOUT_MS = 1000;
const POOL_WAIT_MS = 2000;
/** The longest a request may take to say the database is away: generous, the machine is shared. */
const PROMPT_MS = CONNECT_TIMEOUT_MS + POOL_WAIT_MS + 5000;

const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku } } }`;
const SIMILAR = `query ($id: ID!) { similarProducts(id: $id, k: 3) { neighbours { distance product { id sku } } } }`;
const PAGE = `query ($after: String) { products(first: 500, after: $after) { edges { node { sku } } pageInfo { hasNextPage endCursor } } }`;

interface Outcome {
  kind: 'write' | 'read';
  sku?: string;
  started: number;
  ended: number;
  /** undefined when it succeeded. */
  code?: string;
}

let dataDir: string;
let database: DatabaseServer;
let apis: ApiProcess[];

const env = () => ({
  DATABASE_URL: database.url,
  DATABASE_POOL_SIZE: '2',
  DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
  DATABASE_POOL_WAIT_MS: String(POOL_WAIT_MS),
});

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lookalike-outage-'));
  database = await startDatabaseServer(dataDir);
  // The first migrates; the second then finds the schema there.
  apis = [startApi(env())];
  await apis[0]!.ready;
  apis.push(startApi(env()));
  await apis[1]!.ready;
});
after(async () => {
  for (const api of apis ?? []) await api.stop();
  await database?.kill();
  await rm(dataDir, { recursive: true, force: true });
});

/** A small image of one colour per product: distinct features, quick to decode. */
function swatch(n: number): Promise<Buffer> {
  const background = { r: (n * 67) % 256, g: (n * 131) % 256, b: (n * 199) % 256 };
  return sharp({ create: { width: 32, height: 32, channels: 3, background } }).png().toBuffer();
}

async function call(url: string, query: string, variables: Record<string, unknown>): Promise<{ data?: any; code?: string }> {
  try {
    const { data, errors } = await graphql(url, query, variables);
    return errors ? { code: String(errors[0]!.extensions?.code) } : { data };
  } catch (error) {
    return { code: `no HTTP answer: ${String(error)}` };
  }
}

async function allSkus(url: string): Promise<string[]> {
  const skus: string[] = [];
  for (let after: string | null = null; ; ) {
    const { data, code } = await call(url, PAGE, { after });
    assert.equal(code, undefined);
    skus.push(...data.products.edges.map((edge: any) => edge.node.sku));
    if (!data.products.pageInfo.hasNextPage) return skus;
    after = data.products.pageInfo.endCursor;
  }
}

test('the API outlives a database crash: prompt DATABASE_UNAVAILABLE meanwhile, service again soon after it returns, every acknowledged write once', async () => {
  const [a, b] = apis as [ApiProcess, ApiProcess];
  const [urlA, urlB] = [await a.ready, await b.ready];
  const cat = await sharp(await readPhoto('chelsea.png')).resize(64).png().toBuffer();
  const seeded = await call(urlA, ADD, { input: { sku: 'seed', name: 'seed', image: cat.toString('base64') } });
  assert.equal(seeded.code, undefined);
  const seedId = seeded.data.addProduct.product.id;

  const outcomes: Outcome[] = [];
  let stopping = false;
  let written = 0;
  async function writer(): Promise<void> {
    while (!stopping) {
      const sku = `w${written++}`;
      const image = (await swatch(written)).toString('base64');
      const started = performance.now();
      const { code } = await call(urlA, ADD, { input: { sku, name: sku, image } });
      outcomes.push({ kind: 'write', sku, started, ended: performance.now(), code });
    }
  }
  async function reader(): Promise<void> {
    while (!stopping) {
      const started = performance.now();
      const { code } = await call(urlA, SIMILAR, { id: seedId });
      outcomes.push({ kind: 'read', started, ended: performance.now(), code });
      await sleep(20);
    }
  }
  const load = Promise.all([writer(), writer(), reader()]);

  await sleep(3000);
  const killed = performance.now();
  await database.kill();
  await sleep(4000);
  const restarting = performance.now();
  database = await startDatabaseServer(dataDir, database.port);
  const returned = performance.now();
  const deadline = returned + 30_000;
  while (!outcomes.some((o) => o.started > returned && o.code === undefined) && performance.now() < deadline) await sleep(50);
  await sleep(2000);
  stopping = true;
  await load;

  assert.ok(a.running() && b.running(), 'both API processes still run');
  const codes = new Set(outcomes.flatMap((o) => (o.code ? [o.code] : [])));
  assert.deepEqual([...codes], ['DATABASE_UNAVAILABLE'], 'the only failure is the database being away');

  const duringOutage = outcomes.filter((o) => o.started > killed + 500 && o.ended < restarting);
  assert.ok(duringOutage.length >= 3, `requests during the outage: ${duringOutage.length}`);
  for (const o of duringOutage) {
    assert.equal(o.code, 'DATABASE_UNAVAILABLE');
    assert.ok(o.ended - o.started < PROMPT_MS, `a ${o.kind} took ${(o.ended - o.started).toFixed(0)} ms to fail`);
  }

  const firstServed = Math.min(...outcomes.filter((o) => o.started > returned && o.code === undefined).map((o) => o.ended));
  assert.ok(firstServed - returned < 15_000, `served again ${((firstServed - returned) / 1000).toFixed(1)} s after the database returned`);
  for (const kind of ['read', 'write'] as const) {
    assert.ok(outcomes.some((o) => o.kind === kind && o.started > returned && o.code === undefined), `${kind}s succeed again`);
  }

  const acknowledged = outcomes.filter((o) => o.kind === 'write' && o.code === undefined).map((o) => o.sku!);
  const stored = await allSkus(urlB);
  for (const sku of acknowledged) assert.equal(stored.filter((s) => s === sku).length, 1, `acknowledged ${sku} stored once`);
  assert.equal(new Set(stored).size, stored.length, 'no sku stored twice');

  // The other replica sees, in its search index too, a write made after the return.
  const twin = await call(urlA, ADD, { input: { sku: 'twin', name: 'twin', image: cat.toString('base64') } });
  assert.equal(twin.code, undefined);
  const fromB = await call(urlB, SIMILAR, { id: seedId });
  assert.equal(fromB.code, undefined);
  assert.deepEqual(
    [fromB.data.similarProducts.neighbours[0].product.sku, fromB.data.similarProducts.neighbours[0].distance],
    ['twin', 0],
  );

  // One line when it went, one when it came back; no objects or stacks dumped.
  assert.equal(a.lines.filter((line) => line.includes('database unavailable:')).length, 1, a.lines.join('\n'));
  assert.equal(a.lines.filter((line) => line.includes('database available again')).length, 1, a.lines.join('\n'));
  for (const api of [a, b]) {
    assert.deepEqual(api.lines.filter((line) => /^\s+at |Client \{|_connectionError/.test(line)), [], 'no stack or object printed');
  }
  console.log(`outage: ${outcomes.length} requests, ${acknowledged.length} writes acknowledged, ${duringOutage.length} during the outage (slowest ${Math.max(...duringOutage.map((o) => o.ended - o.started)).toFixed(0)} ms), served again ${((firstServed - returned) / 1000).toFixed(2)} s after the return`);
});
