// Latency of similarProducts on synthetic catalogs of
// 512-d embeddings under an active model version, on the embedded PGlite and
// on the `pg` path (PGlite served over the wire protocol on loopback). Each
// query runs, interleaved, as: the baseline, a brute-force exact L2 scan over
// a Float32Array in this process; the search alone (the similarity service);
// and similarProducts through GraphQL over HTTP. A few queries also run as
// the plain pgvector scan the service used before, and must give the same
// answer as the search.
//
//   node --import tsx bench/serving-latency.ts [--sizes 10000,50000,100000] [--queries 200]
//     [--reference-queries 5] [--k 6] [--databases pglite,postgres] [--seed 1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type DatabaseKind } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { Store } from '../src/db/store.js';
import { activate, createVersion, newProduct } from '../harness/catalog-fixtures.js';
import { seededRandom } from '../harness/vectors.js';
import { positiveInteger } from './flags.js';
import { machine, ms, ratio, table } from './table.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000,100000' },
    queries: { type: 'string', default: '200' },
    'reference-queries': { type: 'string', default: '5' },
    k: { type: 'string', default: '6' },
    databases: { type: 'string', default: 'pglite,postgres' },
    seed: { type: 'string', default: '1' },
  },
});
const sizes = flags.sizes.split(',').map(Number);
const queries = positiveInteger(flags, 'queries');
const referenceQueries = positiveInteger(flags, 'reference-queries');
const k = positiveInteger(flags, 'k');
const databases = flags.databases.split(',') as DatabaseKind[];
const random = seededRandom(Number(flags.seed));

const DIMENSIONS = 512;
const INSERT_CHUNK = 1000;
const SIMILAR = `query ($id: ID!, $k: Int!) {
  similarProducts(id: $id, k: $k) { space neighbours { rank distance product { id sku name category } } }
}`;

const root = await mkdtemp(join(tmpdir(), 'lookalike-serving-'));
const dataDir = join(root, 'pglite'); // what DATA_DIR=root means to the service
const largest = Math.max(...sizes);
const vectors = new Float32Array(largest * DIMENSIONS);
const productIds = new Int32Array(largest);
let catalogSize = 0;
let versionId: number | undefined;

console.log(`${machine()}\n${DIMENSIONS}-d embeddings, k = ${k}, ${queries} queries per catalog and database\n`);

/** Products (their 2048-d features all zero: only the embeddings are searched) with random embeddings, through the repositories. */
async function growCatalog(size: number): Promise<void> {
  const started = performance.now();
  const database = await openDatabase({ pgliteDataDir: dataDir });
  try {
    await migrate(database.db);
    const store = new Store(database.db);
    if (versionId === undefined) {
      versionId = await createVersion(store, new Map());
      await activate(store, versionId);
    }
    const features = new Float32Array(2048);
    for (let first = catalogSize; first < size; first += INSERT_CHUNK) {
      const count = Math.min(INSERT_CHUNK, size - first);
      const products = await store.products.insertMany(Array.from({ length: count }, (_, i) => newProduct(`s${first + i}`, features)));
      // Multiples of 1/64: exact in float32 and short as text.
      for (let i = first * DIMENSIONS; i < (first + count) * DIMENSIONS; i++) vectors[i] = Math.round(random() * 512 - 256) / 64;
      await store.embeddings.insertMany(
        versionId,
        products.map((product, i) => {
          productIds[first + i] = product.id;
          return { productId: product.id, embedding: vectorAt(first + i), predictedCategory: 'synthetic' };
        }),
      );
    }
    catalogSize = size;
  } finally {
    await database.close();
  }
  console.log(`catalog grown to ${size} products in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function vectorAt(index: number): Float32Array {
  return vectors.subarray(index * DIMENSIONS, (index + 1) * DIMENSIONS);
}

/** The baseline: exact L2 to every row of one Float32Array, keeping the k nearest by (distance, id). */
function bruteForce(queryIndex: number): number[] {
  const best: { index: number; distance: number }[] = [];
  const query = vectorAt(queryIndex);
  for (let row = 0; row < catalogSize; row++) {
    if (row === queryIndex) continue;
    let sum = 0;
    for (let i = 0, base = row * DIMENSIONS; i < DIMENSIONS; i++) {
      const diff = vectors[base + i]! - query[i]!;
      sum += diff * diff;
    }
    if (best.length === k && sum >= best[k - 1]!.distance) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.distance > sum) at--;
    best.splice(at, 0, { index: row, distance: sum });
    if (best.length > k) best.pop();
  }
  return best.map((b) => productIds[b.index]!);
}

async function timed<T>(work: () => Promise<T> | T): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

/** PGlite on the catalog's folder, served over the wire protocol on loopback: the `pg` driver's path. */
async function serveOverSocket(): Promise<{ url: string; close(): Promise<void> }> {
  const pglite = await PGlite.create(dataDir, { extensions: { vector } });
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}

const rows: (string | number)[][] = [];

async function measure(kind: DatabaseKind): Promise<void> {
  const socket = kind === 'postgres' ? await serveOverSocket() : undefined;
  const env = { DATA_DIR: root, PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', ...(socket && { DATABASE_URL: socket.url, DATABASE_POOL_SIZE: '1' }) };
  const app = await startApp(loadConfig(env));
  const store = new Store(app.services.database.db);
  try {
    const picks = Array.from({ length: queries }, () => Math.floor(random() * catalogSize));
    const [loadMs] = await timed(() => app.services.similarity.similarProducts(productIds[picks[0]!]!, k));
    const times = { brute: [] as number[], search: [] as number[], http: [] as number[], pgvector: [] as number[] };
    let identical = 0;
    for (const [n, pick] of picks.entries()) {
      const id = productIds[pick]!;
      const [bruteMs, expected] = await timed(() => bruteForce(pick));
      const [searchMs, found] = await timed(() => app.services.similarity.similarProducts(id, k));
      const [httpMs, response] = await timed(async () => {
        const reply = await fetch(app.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: SIMILAR, variables: { id: String(id), k } }),
        });
        return (await reply.json()) as { errors?: unknown };
      });
      if (response.errors) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      times.brute.push(bruteMs);
      times.search.push(searchMs);
      times.http.push(httpMs);
      // The brute force ranks by exact (double) distances: ties and rounding may order it otherwise; pgvector is the reference.
      if (expected.length !== found.neighbours.length) throw new Error(`product ${id}: ${found.neighbours.length} neighbours`);
      if (n < referenceQueries) {
        const [pgvectorMs, reference] = await timed(() => store.search.nearest(versionId!, vectorAt(pick), k, undefined, id));
        times.pgvector.push(pgvectorMs);
        if (JSON.stringify(reference) === JSON.stringify(found.neighbours)) identical++;
      }
    }
    const baseline = { p50: percentile(times.brute, 50), p95: percentile(times.brute, 95) };
    const row = (path: string, values: number[]) => {
      const p50 = percentile(values, 50);
      const p95 = percentile(values, 95);
      return [catalogSize.toLocaleString('en'), kind, path, ms(p50), ms(p95), ratio(p50, baseline.p50), ratio(p95, baseline.p95)];
    };
    rows.push(
      row('brute-force Float32Array scan (baseline)', times.brute),
      row('search alone (similarity service)', times.search),
      row('similarProducts, GraphQL over HTTP', times.http),
      row(`pgvector exact scan, before (${times.pgvector.length} queries)`, times.pgvector),
    );
    console.log(
      `${catalogSize} products on ${kind}: index loaded by the first query in ${ms(loadMs)} ms; ` +
        `${identical}/${times.pgvector.length} answers identical to pgvector's`,
    );
  } finally {
    await app.stop();
    await socket?.close();
  }
}

try {
  for (const size of sizes) {
    await growCatalog(size);
    for (const kind of databases) await measure(kind);
  }
  console.log(`\n${machine()}\n`);
  console.log(table(['products', 'database', 'path', 'p50 ms', 'p95 ms', 'p50 / baseline', 'p95 / baseline'], rows, 'numbers'));
} finally {
  await rm(root, { recursive: true, force: true });
}
