import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import sharp from 'sharp';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { startApi, type ApiProcess } from '../harness/api-process.js';
import { startDatabaseServer, type DatabaseServer } from '../harness/database-server.js';
import { photoCatalog } from '../harness/photo-catalog.js';

// Three service processes (src/main.ts) on one database over the `pg` path,
// as docker-compose.replicas.yml runs them behind nginx: PGlite served over
// the wire by a process of its own (harness/pglite-session-server.ts),
// and a client that goes round the three as a load balancer would.

const TOKEN = 'replicas-admin-token';
const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku } } }`;
const ADD_ALL = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku } } }`;
const BY_SKU = `query ($sku: String!) { productBySku(sku: $sku) { id } }`;
const SIMILAR = `query ($id: ID!, $k: Int!) { similarProducts(id: $id, k: $k) { space modelVersion neighbours { product { id } } } }`;

interface Answer {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One request on a connection of its own, so that a replica's death is seen as it happens, not through a pooled socket. */
function post(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token && { authorization: `Bearer ${token}` }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString()) as Answer);
          } catch (error) {
            reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`, { cause: error }));
          }
        });
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

interface Sent {
  replica: number;
  started: number;
  ended: number;
  /** Why it failed: a transport error or the GraphQL error's code; undefined when answered without errors. */
  failure?: string;
}

/**
 * Round robin over the replicas, as nginx's upstream does: a refused
 * connection (nothing was sent) goes on to the next replica; anything else
 * that goes wrong is the answer.
 */
class RoundRobin {
  #next = 0;
  readonly sent: Sent[] = [];

  constructor(private readonly urls: string[]) {}

  async send(query: string, variables: Record<string, unknown>, token?: string): Promise<Answer | undefined> {
    for (let tries = 0; tries < this.urls.length; tries++) {
      const replica = this.#next;
      this.#next = (this.#next + 1) % this.urls.length;
      const started = performance.now();
      try {
        const answer = await post(this.urls[replica]!, query, variables, token);
        const failure = answer.errors && (answer.errors[0]?.extensions?.code ?? answer.errors[0]?.message);
        this.sent.push({ replica, started, ended: performance.now(), ...(failure && { failure }) });
        return failure ? undefined : answer;
      } catch (error) {
        if ((error as { code?: string }).code === 'ECONNREFUSED') continue;
        this.sent.push({ replica, started, ended: performance.now(), failure: String(error) });
        return undefined;
      }
    }
    throw new Error('no replica accepted the connection');
  }
}

describe('three replicas on one database behind a round-robin client', { timeout: 600_000 }, () => {
  let dir: string;
  let database: DatabaseServer;
  let replicas: ApiProcess[] = [];
  let urls: string[];
  let anchor: string;
  let images: string[];

  const call = async (replica: number, query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const answer = await post(urls[replica]!, query, variables, token);
    assert.equal(answer.errors, undefined, `replica ${replica}: ${JSON.stringify(answer.errors)}`);
    return answer.data;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-replicas-'));
    database = await startDatabaseServer(join(dir, 'db'));
    // Migrated before the three start together: on one PGlite session a
    // session advisory lock does not keep two start-ups' migrations apart.
    const migrating = await openDatabase({ databaseUrl: database.url, databasePoolSize: 1, pgliteDataDir: 'memory://' });
    await migrate(migrating.db);
    await migrating.close();
    const env = { DATABASE_URL: database.url, ADMIN_TOKEN: TOKEN };
    replicas = [startApi(env), startApi(env), startApi(env)];
    urls = await Promise.all(replicas.map((replica) => replica.ready));

    const catalog = await photoCatalog(4);
    images = catalog.map((product) => Buffer.from(product.image).toString('base64'));
    const { addProducts } = await call(
      0,
      ADD_ALL,
      { inputs: catalog.map((product, i) => ({ ...product, image: images[i] })) },
      TOKEN,
    );
    anchor = addProducts.products[0].id;
    // Small images for the load below: ResNet50 sees 224x224 whatever comes in, decoding costs less.
    images = await Promise.all(
      catalog.slice(0, 4).map(async (product) => (await sharp(product.image).resize(96, 96).png().toBuffer()).toString('base64')),
    );
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a write through any replica is in the next answer of every other', async (t) => {
    const waits: number[] = [];
    for (let writer = 0; writer < 3; writer++) {
      const sku = `visible-${writer}`;
      const { addProduct } = await call(writer, ADD, { input: { sku, name: sku, category: 'cats', image: images[writer] } }, TOKEN);
      const acknowledged = performance.now();
      for (let reader = 0; reader < 3; reader++) {
        if (reader === writer) continue;
        const { productBySku } = await call(reader, BY_SKU, { sku });
        const { similarProducts } = await call(reader, SIMILAR, { id: anchor, k: 100 });
        waits.push(performance.now() - acknowledged);
        assert.deepEqual(productBySku, { id: addProduct.product.id }, `replica ${reader} finds ${sku} written through ${writer}`);
        assert.ok(
          similarProducts.neighbours.some((n: any) => n.product.id === addProduct.product.id),
          `replica ${reader} ranks ${sku} written through ${writer}`,
        );
      }
    }
    t.diagnostic(`visible on the first query of each other replica; ack to answer ${Math.min(...waits).toFixed(0)}-${Math.max(...waits).toFixed(0)} ms`);
  });

  test('a write through one replica changes the ETag that every replica returns from its next request on', async () => {
    const NEIGHBOURS = `query Neighbours($id: ID!) { similarProducts(id: $id, k: 100) { neighbours { product { id } } } }`;
    const persisted = { version: 1, sha256Hash: createHash('sha256').update(NEIGHBOURS).digest('hex') };
    const read = async (replica: number, ifNoneMatch?: string) => {
      const search = new URLSearchParams({ query: NEIGHBOURS, variables: JSON.stringify({ id: anchor }), extensions: JSON.stringify({ persistedQuery: persisted }) });
      const response = await fetch(`${urls[replica]}?${search}`, { headers: { 'apollo-require-preflight': 'true', ...(ifNoneMatch && { 'if-none-match': ifNoneMatch }) } });
      return { status: response.status, etag: response.headers.get('etag')!, body: response.status === 200 ? ((await response.json()) as Answer) : undefined };
    };
    const first = await Promise.all([0, 1, 2].map((replica) => read(replica)));
    assert.equal(new Set(first.map((answer) => answer.etag)).size, 1, 'one catalog state, one ETag on every replica');
    const before = first[0]!.etag;
    for (let replica = 0; replica < 3; replica++) assert.equal((await read(replica, before)).status, 304, `replica ${replica} before the write`);

    const { addProduct } = await call(1, ADD, { input: { sku: 'etag-write', name: 'etag-write', category: 'cats', image: images[0] } }, TOKEN);
    const after: string[] = [];
    for (const replica of [0, 2, 1]) {
      const answer = await read(replica, before);
      assert.equal(answer.status, 200, `replica ${replica} after the write through replica 1`);
      assert.ok(answer.body!.data.similarProducts.neighbours.some((n: any) => n.product.id === addProduct.product.id), `replica ${replica} ranks the new product`);
      after.push(answer.etag);
    }
    assert.equal(new Set(after).size, 1);
    assert.notEqual(after[0], before);
  });

  test('an attribute changed through one replica rules the next similarity answer of every other', async () => {
    const UPDATE = `mutation ($id: ID!, $patch: JSONObject) { updateProduct(id: $id, input: { attributesPatch: $patch }) { product { id attributes } } }`;
    const IN_STOCK = `query ($id: ID!) { similarProducts(id: $id, k: 100, filter: { where: [{ key: "inStock", eq: true }] }) { neighbours { product { id } } } }`;
    const { similarProducts } = await call(0, SIMILAR, { id: anchor, k: 3 });
    const target: string = similarProducts.neighbours[0].product.id;
    for (const [writer, inStock] of [[0, true], [1, false], [2, true]] as const) {
      const { updateProduct } = await call(writer, UPDATE, { id: target, patch: { inStock } }, TOKEN);
      assert.equal(updateProduct.product.attributes.inStock, inStock);
      for (let reader = 0; reader < 3; reader++) {
        if (reader === writer) continue;
        const answer = await call(reader, IN_STOCK, { id: anchor });
        const listed = answer.similarProducts.neighbours.some((n: any) => n.product.id === target);
        assert.equal(listed, inStock, `replica ${reader} after inStock: ${inStock} through ${writer}`);
      }
    }
  });

  test('a training run started through one replica is trained once, and all three switch to its version', async (t) => {
    const started = await call(1, `mutation { trainModel(input: { epochs: 2, batchSize: 4, validationSplit: 0.25 }) { trainingRun { id } } }`, {}, TOKEN);
    const runId = started.trainModel.trainingRun.id;
    // Through another replica while it trains: one run at a time across all of them.
    const second = await post(urls[2]!, `mutation { trainModel { trainingRun { id } } }`, {}, TOKEN);
    assert.equal(second.errors?.[0]?.extensions?.code, 'TRAINING_IN_PROGRESS');

    let run: { status: string; modelVersion: string | null; error: string | null };
    const since = performance.now();
    while (((run = (await call(0, `query ($id: ID!) { trainingRun(id: $id) { status modelVersion error } }`, { id: runId })).trainingRun), run.status === 'QUEUED' || run.status === 'RUNNING')) {
      await sleep(200);
    }
    assert.equal(run.status, 'SUCCEEDED', run.error ?? '');
    t.diagnostic(`run ${runId} trained and switched on in ${((performance.now() - since) / 1000).toFixed(1)} s`);

    for (let replica = 0; replica < 3; replica++) {
      const { trainingRuns, modelVersions, service, similarProducts } = await call(
        replica,
        `query ($id: ID!) { trainingRuns { id } modelVersions { id } service { modelVersion embeddingSpace } similarProducts(id: $id) { space modelVersion } }`,
        { id: anchor },
      );
      assert.deepEqual(trainingRuns, [{ id: runId }], `replica ${replica}: one run`);
      assert.deepEqual(modelVersions, [{ id: run.modelVersion }], `replica ${replica}: one version`);
      assert.equal(service.modelVersion, run.modelVersion, `replica ${replica} serves the new version`);
      assert.equal(similarProducts.modelVersion, run.modelVersion, `replica ${replica} answers from the new version`);
      assert.notEqual(similarProducts.space, 'RESNET50_FEATURES');
    }
    const trainedBy = replicas.map((replica) => replica.lines.some((line) => line.includes(`training run ${runId}:`)));
    assert.deepEqual(trainedBy, [false, true, false], 'only the replica that was asked trains');
  });

  test('kill -9 one replica under load: the others keep serving, and every acknowledged write is stored once', async (t) => {
    const KILLED = 2;
    const client = new RoundRobin(urls);
    const acknowledged: string[] = [];
    const attempted: string[] = [];
    let stop = false;
    const load = async (loop: number) => {
      for (let i = 0; !stop; i++) {
        if (i % 3 === 0) {
          const sku = `load-${loop}-${i}`;
          attempted.push(sku);
          const category = i % 2 === 0 ? 'cats' : 'drinks';
          const answer = await client.send(ADD, { input: { sku, name: sku, category, image: images[(loop + i) % images.length] } }, TOKEN);
          if (answer) acknowledged.push(answer.data.addProduct.product.sku);
        } else {
          await client.send(SIMILAR, { id: anchor, k: 6 });
        }
      }
    };
    const loops = [0, 1, 2, 3].map(load);

    const answeredBy = (replica: number, after: number) =>
      client.sent.filter((sent) => sent.replica === replica && sent.started > after && !sent.failure).length;
    const waitFor = async (condition: () => boolean, what: string) => {
      for (const deadline = performance.now() + 120_000; !condition(); await sleep(50)) {
        if (performance.now() > deadline) throw new Error(`still waiting for ${what}`);
      }
    };
    await waitFor(() => acknowledged.length >= 6 && answeredBy(KILLED, 0) >= 3, 'load on every replica');
    const killing = performance.now();
    await replicas[KILLED]!.kill();
    const killed = performance.now();
    const ackedBeforeKill = acknowledged.length;
    await waitFor(
      () => acknowledged.length >= ackedBeforeKill + 6 && [0, 1].every((replica) => answeredBy(replica, killed) >= 5),
      'the survivors to serve on',
    );
    stop = true;
    await Promise.all(loops);

    const failures = client.sent.filter((sent) => sent.failure);
    for (const failure of failures) {
      assert.equal(failure.replica, KILLED, `a survivor failed: ${failure.failure}`);
      assert.ok(failure.started < killed, `a request sent after the kill failed: ${failure.failure}`);
    }
    const afterKill = client.sent.filter((sent) => sent.started > killed);
    assert.ok(afterKill.every((sent) => sent.replica !== KILLED && !sent.failure));

    const reader = new pg.Client(database.url);
    await reader.connect();
    const { rows } = await reader.query<{ sku: string; copies: number }>(
      `select sku, count(*)::int as copies from products where sku like 'load-%' group by sku`,
    );
    await reader.end();
    const stored = new Map(rows.map((row) => [row.sku, row.copies]));
    for (const sku of acknowledged) assert.equal(stored.get(sku), 1, `acknowledged ${sku} is stored once`);
    // A write the killed replica had in hand may have committed before it died, unacknowledged: never one nobody sent.
    const unacknowledged = [...stored.keys()].filter((sku) => !acknowledged.includes(sku));
    assert.ok(unacknowledged.every((sku) => attempted.includes(sku)));
    assert.ok(unacknowledged.length <= failures.length);

    const reads = client.sent.length - attempted.length;
    t.diagnostic(
      `${client.sent.length} requests (${attempted.length} writes, ~${reads} reads) over ${((performance.now() - killing) / 1000).toFixed(1)} s after the kill and before; ` +
        `${acknowledged.length} writes acknowledged, ${stored.size} stored; ${failures.length} failed, all in flight on the killed replica ` +
        `(${failures.map((f) => f.failure).join('; ') || 'none'}); ${afterKill.length} requests after the kill, all answered`,
    );
  });
});
