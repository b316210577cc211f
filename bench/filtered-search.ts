// Latency of filtered similarity queries (issue 14): a synthetic catalog of
// 512-d embeddings under an active model version, products spread over 100
// categories, searched in process (ExactSearch, as the similarity service
// does) on the embedded PGlite. The baseline is the unfiltered query,
// measured in the same run, interleaved with the others: a filter keeping 1%
// of the catalog (one category), one keeping 50% (50 categories), and 1%
// with a distance bound. A few of each also run as the plain pgvector query
// with the same WHERE, which must give the same answer.
//
//   node --import tsx bench/filtered-search.ts [--size 100000] [--queries 100] [--reference-queries 5] [--k 6] [--seed 1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { neighbourFilter, NO_FILTER, type NeighbourFilter } from '../src/catalog/neighbour-filter.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrator.js';
import { Store } from '../src/db/store.js';
import { ExactSearch } from '../src/search/exact-search.js';
import { activate, createVersion, newProduct } from '../test/search/fixtures.js';
import { seededRandom } from '../test/support/vectors.js';
import { positiveInteger } from './flags.js';
import { machine, ms, printTable, ratio } from './table.js';

const { values: flags } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '100' },
    'reference-queries': { type: 'string', default: '5' },
    k: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
  },
});
const size = positiveInteger(flags, 'size');
const queries = positiveInteger(flags, 'queries');
const referenceQueries = positiveInteger(flags, 'reference-queries');
const k = positiveInteger(flags, 'k');
const random = seededRandom(Number(flags.seed));

const DIMENSIONS = 512;
const CATEGORIES = 100;
const INSERT_CHUNK = 1000;
const category = (i: number) => `c${String(i % CATEGORIES).padStart(2, '0')}`;

console.log(`${machine()}\n${size} products, ${DIMENSIONS}-d embeddings in ${CATEGORIES} categories, k = ${k}, ${queries} queries per filter\n`);

const root = await mkdtemp(join(tmpdir(), 'lookalike-filtered-'));
const database = await openDatabase({ pgliteDataDir: join(root, 'pglite') });
try {
  await migrate(database.db);
  const store = new Store(database.db);
  const started = performance.now();
  const versionId = await createVersion(store, new Map());
  await activate(store, versionId);
  const ids: number[] = [];
  const features = new Float32Array(2048);
  for (let first = 0; first < size; first += INSERT_CHUNK) {
    const count = Math.min(INSERT_CHUNK, size - first);
    const products = await store.products.insertMany(
      Array.from({ length: count }, (_, i) => ({ ...newProduct(`s${first + i}`, features), category: category(first + i) })),
    );
    await store.embeddings.insertMany(
      versionId,
      products.map((product) => {
        ids.push(product.id);
        // Multiples of 1/64: exact in float32 and short as text.
        const embedding = Float32Array.from({ length: DIMENSIONS }, () => Math.round(random() * 512 - 256) / 64);
        return { productId: product.id, embedding, predictedCategory: 'synthetic' };
      }),
    );
  }
  console.log(`catalog built in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const search = new ExactSearch(store);
  const loadStarted = performance.now();
  await search.warm();
  console.log(`index loaded in ${ms(performance.now() - loadStarted)} ms`);

  const filters: [string, (id: number) => NeighbourFilter][] = [
    ['none (baseline)', () => NO_FILTER],
    ['categories: 1 of 100 (1%)', (id) => neighbourFilter({ categories: [category(id * 7)] }, undefined)],
    ['categories: 50 of 100 (50%)', () => neighbourFilter({ categories: Array.from({ length: 50 }, (_, i) => category(i)) }, undefined)],
    ['excludeCategories: 99 of 100 (1%)', (id) => neighbourFilter({ excludeCategories: Array.from({ length: 99 }, (_, i) => category(id * 7 + i + 1)) }, undefined)],
    ['1% and maxDistance 100', (id) => neighbourFilter({ categories: [category(id * 7)] }, 100)],
  ];
  const times = filters.map(() => [] as number[]);
  const reference = filters.map(() => [] as number[]);
  let identical = 0;
  let compared = 0;
  for (let n = 0; n < queries; n++) {
    const id = ids[Math.floor(random() * ids.length)]!;
    for (const [f, [, filterOf]] of filters.entries()) {
      const filter = filterOf(id);
      const begun = performance.now();
      const found = await search.similarTo(id, k, filter);
      times[f]!.push(performance.now() - begun);
      if (n < referenceQueries) {
        const query = (await store.embeddings.embeddingOf(versionId, id))!;
        const plainStarted = performance.now();
        const expected = await store.embeddings.nearest(versionId, query, k, id, filter);
        reference[f]!.push(performance.now() - plainStarted);
        compared++;
        if (JSON.stringify(expected) === JSON.stringify(found!.neighbours)) identical++;
      }
    }
  }
  const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;
  const base50 = p(times[0]!, 0.5);
  const base95 = p(times[0]!, 0.95);
  printTable(
    ['filter', 'p50 ms', 'p95 ms', 'p50 / unfiltered', 'p95 / unfiltered', `plain pgvector p50 ms (${referenceQueries})`],
    filters.map(([name], f) => [name, ms(p(times[f]!, 0.5)), ms(p(times[f]!, 0.95)), ratio(p(times[f]!, 0.5), base50), ratio(p(times[f]!, 0.95), base95), ms(p(reference[f]!, 0.5))]),
  );
  console.log(`\n${identical}/${compared} answers identical to pgvector's with the same WHERE`);
  if (identical !== compared) process.exitCode = 1;
} finally {
  await database.close();
  await rm(root, { recursive: true, force: true });
}
