// similarProducts through the whole service at catalog sizes up to a
// million, on a real Postgres with pgvector: the API process (src/main.ts)
// started on a database seeded with a bench catalog (bench/catalogs.ts) as
// the active model version's embeddings, then one client asking for the 6
// nearest of products drawn at random, over HTTP, one request at a time,
// once the index has been filed in blocks (the process logs it), the
// embeddings read into the OS cache and ten seconds passed. The first
// answers are checked, after the timed queries, against pgvector's exact
// ORDER BY over the whole table.
// Beside it: seconds to /readyz from the database, and the process's RSS.
//
//   node --import tsx bench/serving-http.ts [--sizes 100000,1000000] [--kinds embedding-blends,blends]
//     [--embeddings ~/.cache/lookalike/fashion-mnist-70k/embeddings-512.f32] [--queries 200] [--checked 20]
//     [--database postgres://postgres@127.0.0.1:5433/lookalike_http]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startApi } from '../harness/api-process.js';
import { seededRandom } from '../harness/vectors.js';
import { catalog, CATALOG_KINDS, largestCatalog, type CatalogKind } from './catalogs.js';
import { createdDatabase, seedCatalog } from './catalog-database.js';
import { positiveInteger } from './flags.js';
import { machine, ms, table } from './table.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    kinds: { type: 'string', default: 'embedding-blends,blends' },
    embeddings: { type: 'string' },
    'fashion-mnist': { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    queries: { type: 'string', default: '200' },
    checked: { type: 'string', default: '20' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5433/lookalike_http' },
  },
});
const sizes = flags.sizes.split(',').map(Number);
const kinds = flags.kinds.split(',') as CatalogKind[];
for (const kind of kinds) if (!CATALOG_KINDS.includes(kind)) throw new Error(`--kinds: ${kind} is none of ${CATALOG_KINDS.join(', ')}`);
const queries = positiveInteger(flags, 'queries');
const checked = Number(flags.checked);
const DIMENSIONS = 512;
const SETTLE_MS = 10_000;
const K = 6;
const QUERY = `query ($id: ID!) { similarProducts(id: $id, k: ${K}) { neighbours { distance product { id } } } }`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const rows: (string | number)[][] = [];
console.log(`${machine()}\n`);
for (const kind of kinds) {
  const vectorOf = await catalog(kind, DIMENSIONS, { fashionMnist: flags['fashion-mnist'], embeddings: flags.embeddings });
  for (const size of sizes.filter((size) => size <= largestCatalog(kind))) {
    const url = await createdDatabase(flags.database, `${kind.replace('-', '_')}_${size}`);
    await seedCatalog(url, size, DIMENSIONS, vectorOf);
    const snapshots = await mkdtemp(join(tmpdir(), 'lookalike-serving-http-'));
    const started = performance.now();
    const api = startApi({ DATABASE_URL: url, SEARCH_SNAPSHOT_DIR: snapshots, LOG_LEVEL: 'info' });
    try {
      const endpoint = await api.ready;
      const ready = (performance.now() - started) / 1000;
      while (!api.lines.some((line) => line.includes('filed in'))) await new Promise((resolve) => setTimeout(resolve, 200));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      // Steady state: a serving database holds its table in memory, and the process has written its snapshot after the build.
      await client.query('create extension if not exists pg_prewarm');
      await client.query(`select pg_prewarm('embeddings', 'read')`);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const random = seededRandom(size + 11);
      const times: number[] = [];
      const answers: { id: number; served: { id: number; distance: number }[] }[] = [];
      for (let q = 0; q < queries; q++) {
        const id = 1 + Math.floor(random() * size);
        const start = performance.now();
        const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: { id: String(id) } }) });
        const body = (await response.json()) as { data?: { similarProducts: { neighbours: { distance: number; product: { id: string } }[] } }; errors?: unknown };
        times.push(performance.now() - start);
        if (!body.data) throw new Error(`query ${id}: ${JSON.stringify(body.errors)}`);
        if (q < checked) answers.push({ id, served: body.data.similarProducts.neighbours.map((n) => ({ id: Number(n.product.id), distance: n.distance })) });
      }
      // Checked after the timed queries: pgvector's whole-table scan (~0.5 s at a million) flushes the caches the next query would use.
      let same = 0;
      for (const { id, served } of answers) {
        const { rows: exact } = await client.query<{ id: number; distance: number }>(
          `select product_id as id, embedding <-> (select embedding from embeddings where product_id = $1) as distance
           from embeddings where product_id <> $1 order by 2, 1 limit ${K}`,
          [id],
        );
        if (JSON.stringify(served) === JSON.stringify(exact)) same++;
        else console.log(`query ${id}: served ${JSON.stringify(served)}, pgvector ${JSON.stringify(exact)}`);
      }
      await client.end();
      rows.push([kind, size.toLocaleString('en-US'), ready.toFixed(1), ms(percentile(times, 50)), ms(percentile(times, 95)), `${same}/${Math.min(checked, queries)}`, Math.round(await rss(api.pid))]);
      console.log(rows.at(-1)!.join(' | '));
    } finally {
      await api.stop();
      await rm(snapshots, { recursive: true, force: true });
    }
  }
}
console.log(`\n${machine()}\n`);
console.log(table(['catalog', 'products', '/readyz s (from the database)', 'similarProducts p50 ms', 'p95 ms', 'identical to pgvector', 'process RSS MiB'], rows));
