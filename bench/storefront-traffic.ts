// A store's product pages (issue 25): similarProducts(id, k: 6) for a hot set
// of products in a large catalog, Zipf-distributed, sent as a storefront
// sends reads: GET with a persisted query's hash. Each driver's service
// (src/main.ts in a process of its own) is measured with the answer cache on
// (cached) and off (ANSWER_CACHE_BYTES=0: every request runs), idle and while
// a feed import adds photos through addProducts (ResNet50 in the service),
// against `{ __typename }` over the same GET path as the floor. autocannon,
// closed loop on loopback, on the same machine as the service.
//
//   node --import tsx bench/storefront-traffic.ts [--products 100000] [--hot 1000] [--exponent 1]
//     [--connections 32] [--seconds 20] [--batch 8] [--seed 1]
//     [--drivers pglite,postgres] [--server postgres://postgres@127.0.0.1:5433]
//     [--data-dir DIR] [--database-url URL] [--any-catalog]
//
// --any-catalog takes whatever catalog the kept database holds, with its
// active model, instead of the synthetic one: the 70,000 Fashion-MNIST
// products that bench/fashion-embeddings.ts imports and trains (real photos,
// real ResNet50 features), where a product's neighbours are as near as a
// store's; the synthetic features are uniform noise around ten centres,
// where almost nothing can be skipped. Work on a copy: the imports add to it.
//
// The catalog takes most of the time (~17 min on PGlite, ~6 on Postgres, on
// the loaded 2-core machine): --data-dir (a PGlite DATA_DIR) and
// --database-url keep it for later runs, which add only the imports' photos.
// Each service is measured once its search index is partitioned.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { autocannon, type LoadResult } from './autocannon.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { startApi, type ApiProcess } from '../harness/api-process.js';
import { seededRandom } from '../harness/vectors.js';
import { positiveInteger } from './flags.js';
import { freshDatabase } from './fresh-database.js';
import { importUntil } from './photo-import.js';
import { buildSyntheticCatalog } from './synthetic-catalog.js';
import { machine, ms, ratio, table } from './table.js';
import { zipfSampler } from './zipf.js';

const { values: flags } = parseArgs({
  options: {
    products: { type: 'string', default: '100000' },
    hot: { type: 'string', default: '1000' },
    exponent: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    batch: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    drivers: { type: 'string', default: 'pglite,postgres' },
    server: { type: 'string', default: 'postgres://postgres@127.0.0.1:5433' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'any-catalog': { type: 'boolean', default: false },
  },
});
const products = positiveInteger(flags, 'products');
const hot = positiveInteger(flags, 'hot');
const connections = positiveInteger(flags, 'connections');
const seconds = positiveInteger(flags, 'seconds');
const batch = positiveInteger(flags, 'batch');
const seed = positiveInteger(flags, 'seed');
const exponent = Number(flags.exponent);
const drivers = flags.drivers.split(',') as ('pglite' | 'postgres')[];

const SIMILAR = `query ProductPage($id: ID!) { similarProducts(id: $id, k: 6) { space neighbours { rank distance product { id sku name category thumbnailUrl } } } }`;
const FLOOR = `{ __typename }`;
const CSRF = { 'apollo-require-preflight': 'true' };
/** Tells this run's imported skus from those of earlier runs on a kept catalog. */
const RUN = Date.now().toString(36);

/** GET / with a persisted query's hash and, to register it, its document. */
function readPath(document: string, variables: Record<string, unknown> = {}, withDocument = false): string {
  const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(document).digest('hex') } };
  const search = new URLSearchParams({ variables: JSON.stringify(variables), extensions: JSON.stringify(extensions), ...(withDocument && { query: document }) });
  return `/?${search}`;
}

async function get(url: string, path: string): Promise<any> {
  const response = await fetch(new URL(path, url), { headers: CSRF });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(`${path}: ${JSON.stringify(body.errors)}`);
  return body;
}

function load(url: string, path: () => string): Promise<LoadResult> {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: CSRF,
    requests: [{ setupRequest: (request: object) => ({ ...request, path: path() }) }],
    verifyBody: (text: string) => !text.includes('"errors"'),
  });
}

/** The catalog-read counters of /metrics, by outcome. */
async function readOutcomes(url: string): Promise<Record<string, number>> {
  const metrics = await (await fetch(new URL('/metrics', url))).text();
  return Object.fromEntries([...metrics.matchAll(/^lookalike_catalog_reads_total\{outcome="(\w+)"\} (\d+)$/gm)].map(([, outcome, count]) => [outcome!, Number(count)]));
}

interface Row {
  name: string;
  result: LoadResult;
  /** Share of reads answered without running (cache hit, shared, 304); undefined for the floor. */
  hitRatio?: number;
  imported?: string;
}

/** Runs `path` under load, with the import going if asked; the hit ratio from /metrics over the run. */
async function measure(url: string, name: string, path: () => string, importing: boolean): Promise<Row> {
  const before = await readOutcomes(url);
  let stop = false;
  const adding = importing ? importUntil(url, () => stop, batch, seed, `import-${RUN}-${name.replace(/\W+/g, '-')}-`) : undefined;
  const result = await load(url, path);
  stop = true;
  const imported = await adding;
  const after = await readOutcomes(url);
  const delta = (outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
  const reads = ['hit', 'shared', 'miss', 'not_modified'].reduce((sum, outcome) => sum + delta(outcome), 0);
  return {
    name,
    result,
    ...(reads > 0 && { hitRatio: (reads - delta('miss')) / reads }),
    ...(imported && { imported: `${imported.ids.length} products in ${imported.seconds.toFixed(0)} s` }),
  };
}

/** `count` distinct items of `items`, drawn by a partial Fisher-Yates shuffle. */
function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** The catalog's synthetic products, built unless the database holds them already. */
async function catalogIds(env: Record<string, string>, driver: string, random: () => number): Promise<number[]> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: loadConfig(env).pgliteDataDir });
  try {
    await migrate(database.db);
    if (flags['any-catalog']) {
      const { rows } = await sql<{ id: number }>`select id from products where exists (select 1 from model_versions where active) order by id`.execute(database.db);
      if (rows.length < hot) throw new Error(`${driver}: --any-catalog needs a kept catalog of at least ${hot} products and an active model, found ${rows.length}`);
      return rows.map((row) => row.id);
    }
    const { rows } = await sql<{ id: number }>`select id from products where sku like 'synthetic-%' order by id`.execute(database.db);
    if (rows.length === products) return rows.map((row) => row.id);
    if (rows.length > 0) throw new Error(`${driver}: the kept catalog has ${rows.length} synthetic products, not ${products}`);
  } finally {
    await database.close();
  }
  return buildSyntheticCatalog(env, products, random, (line) => console.log(`${driver}: ${line}`));
}

/** Until the service says its index is partitioned: before that every query scans the whole space. */
async function partitioned(api: ApiProcess): Promise<void> {
  while (!api.lines.some((line) => line.includes('products of the active space filed in'))) await sleep(500);
}

async function measureDriver(driver: 'pglite' | 'postgres'): Promise<Row[]> {
  // The catalog draws from a generator of its own: a kept catalog leaves the hot set the same.
  const random = seededRandom(seed + 1);
  const root = await mkdtemp(join(tmpdir(), 'lookalike-traffic-'));
  const kept = driver === 'postgres' ? flags['database-url'] : flags['data-dir'];
  const database = driver === 'postgres' && !kept ? await freshDatabase(flags.server, 'lookalike_traffic') : undefined;
  // With DATABASE_URL, DATA_DIR holds only the search index's snapshot.
  const env: Record<string, string> =
    driver === 'postgres' ? { DATA_DIR: root, DATABASE_URL: kept ?? database!.url } : { DATA_DIR: kept ?? root };
  try {
    const ids = await catalogIds(env, driver, seededRandom(seed));
    console.log(`${driver}: ${ids.length} products in the catalog`);
    const hotIds = sample(ids, hot, random);
    const pick = zipfSampler(hot, exponent, random);
    const productPage = () => readPath(SIMILAR, { id: String(hotIds[pick()]) });
    const rows: Row[] = [];
    for (const cached of [true, false]) {
      const api = startApi({ ...env, IMAGE_CACHE_BYTES: '0', ...(!cached && { ANSWER_CACHE_BYTES: '0' }) });
      try {
        const url = await api.ready;
        await partitioned(api);
        await get(url, readPath(FLOOR, {}, true));
        await get(url, readPath(SIMILAR, { id: String(hotIds[0]) }, true));
        // Every hot product once: the cached runs measure a warm cache, the uncached ones a warm index.
        for (const id of hotIds) await get(url, readPath(SIMILAR, { id: String(id) }));
        const label = cached ? 'cached' : 'uncached';
        if (cached) rows.push(await measure(url, `{ __typename } (floor)`, () => readPath(FLOOR), false));
        rows.push(await measure(url, `${label}, idle`, productPage, false));
        rows.push(await measure(url, `${label}, during an import`, productPage, true));
      } finally {
        await api.stop();
      }
    }
    return rows;
  } finally {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  }
}

console.log(`${machine()}\n${flags['any-catalog'] ? 'the kept catalog' : `${products} synthetic products`}, hot set ${hot} (Zipf s=${exponent}), ${connections} connections, ${seconds} s a run, import batches of ${batch}\n`);
for (const driver of drivers) {
  const rows = await measureDriver(driver);
  const floor = rows[0]!.result;
  const idleOf = (row: Row) => rows.find((other) => other.name === row.name.replace('during an import', 'idle'))!.result;
  const errors = (r: LoadResult) => r.errors + r.timeouts + r.non2xx + r.mismatches;
  console.log(`\n${driver === 'pglite' ? 'embedded PGlite' : `Postgres (pg driver, ${flags.server})`}; ${machine()}\n`);
  console.log(
    table(
      ['run', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'answered without running', 'vs floor', 'p99 vs idle', 'import'],
      rows.map((row) => [
        row.name,
        Math.round(row.result.requests.average),
        ms(row.result.latency.p50),
        ms(row.result.latency.p99),
        errors(row.result),
        row.hitRatio === undefined ? '' : `${(row.hitRatio * 100).toFixed(1)}%`,
        ratio(row.result.requests.average, floor.requests.average),
        row.name.includes('import') ? ratio(row.result.latency.p99, idleOf(row).latency.p99) : '',
        row.imported ?? '',
      ]),
      'numbers',
    ),
  );
}
