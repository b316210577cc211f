// Latency of filtered similarity queries and of recommend: a
// synthetic catalog of 512-d embeddings under an active model version,
// products spread over 100 categories, queried through the similarity
// service (in-process index checked against pgvector) on the embedded PGlite.
// The baseline is the unfiltered similarProducts, measured in the same run,
// interleaved with the others: filters keeping 1% (one category, or all but
// 99) and 50% (50 categories) of the catalog, 1000 excluded ids, a distance
// bound, and recommend from 5 positives and 2 negatives; and a store's rules
// on attributes each product carries (inStock: 90% true; brand: one of 10;
// price: 0 to 1000 in cents, uniform), admitting 90%, 10% and 1%. A few of
// each also run as the plain pgvector query with the same WHERE, which must
// give the same answer. Last, similarProducts unfiltered and under the
// inStock rule, idle and while another task flips inStock on random
// products 100 times a second through CatalogService.updateProduct.
//
//   node --import tsx bench/filtered-search.ts [--size 100000] [--queries 100] [--reference-queries 5] [--k 6] [--seed 1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_FILTER_IDS, neighbourFilter, NO_FILTER, type FilterInput, type NeighbourFilter } from '../src/domain/neighbour-filter.js';
import type { Neighbour } from '../src/domain/product.js';
import { recommendationQuery } from '../src/catalog/similarity.service.js';
import { loadConfig } from '../src/config.js';
import { Store } from '../src/db/store.js';
import { createServices } from '../src/services.js';
import { activate, createVersion, newProduct } from '../harness/catalog-fixtures.js';
import { seededRandom } from '../harness/vectors.js';
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
const BRANDS = 10;
const UPDATES_PER_SECOND = 100;
const category = (i: number) => `c${String(i % CATEGORIES).padStart(2, '0')}`;
const brand = (i: number) => `brand ${i % BRANDS}`;
/** A store's attributes, drawn apart from the categories. */
const storeAttributes = () => ({
  inStock: random() < 0.9,
  brand: brand(Math.floor(random() * BRANDS)),
  price: Math.round(random() * 100_000) / 100,
  sizes: ['S', 'M', 'L', 'XL'].filter(() => random() < 0.5),
});

console.log(`${machine()}\n${size} products, ${DIMENSIONS}-d embeddings in ${CATEGORIES} categories, k = ${k}, ${queries} queries per case\n`);

const root = await mkdtemp(join(tmpdir(), 'lookalike-filtered-'));
const services = await createServices(loadConfig({ DATA_DIR: root, FEATURE_WORKERS: '1' }), () => {});
try {
  const store = new Store(services.database.db);
  const started = performance.now();
  const versionId = await createVersion(store, new Map());
  await activate(store, versionId);
  const ids: number[] = [];
  const features = new Float32Array(2048);
  for (let first = 0; first < size; first += INSERT_CHUNK) {
    const count = Math.min(INSERT_CHUNK, size - first);
    const products = await store.products.insertMany(
      Array.from({ length: count }, (_, i) => ({ ...newProduct(`s${first + i}`, features), category: category(first + i), attributes: storeAttributes() })),
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

  const { similarity } = services;
  const loadStarted = performance.now();
  await similarity.warm();
  console.log(`index loaded in ${ms(performance.now() - loadStarted)} ms`);

  const pick = () => ids[Math.floor(random() * ids.length)]!;
  const embeddingOf = async (id: number) => (await store.search.vectorOf(versionId, id))!;
  const oneCategory = (id: number) => neighbourFilter({ categories: [category(id * 7)] }, undefined);

  /** One query: the product it is about, the unfiltered answer for it (measured first), and its random parts. */
  interface Query {
    id: number;
    unfiltered: Neighbour[];
    /** Besides the unfiltered neighbours. */
    excluded: number[];
    positives: number[];
    negatives: number[];
  }
  interface Case {
    name: string;
    run(query: Query): Promise<Neighbour[]>;
    /** The plain pgvector statement with the same WHERE. */
    reference(query: Query): Promise<Neighbour[]>;
  }
  const similar = (name: string, filterOf: (query: Query) => NeighbourFilter): Case => ({
    name,
    run: async (query) => (await similarity.similarProducts(query.id, k, filterOf(query))).neighbours,
    reference: async (query) => store.search.nearest(versionId, await embeddingOf(query.id), k, filterOf(query), query.id),
  });
  const recommend = (name: string, filterOf: (query: Query) => NeighbourFilter): Case => ({
    name,
    run: async ({ positives, negatives, ...query }) => (await similarity.recommend(positives, negatives, k, filterOf({ positives, negatives, ...query }))).neighbours,
    async reference(query) {
      const vector = recommendationQuery(await Promise.all(query.positives.map(embeddingOf)), await Promise.all(query.negatives.map(embeddingOf)));
      const filter = filterOf(query);
      return store.search.nearest(versionId, vector, k, { ...filter, excludedIds: [...filter.excludedIds, ...query.positives, ...query.negatives] });
    },
  });
  // The third unfiltered neighbour's distance: a bound that keeps fewer than k.
  const bound = ({ unfiltered }: Query) => unfiltered[2]!.distance;
  const where = (rules: NonNullable<FilterInput['where']>) => neighbourFilter({ where: rules }, undefined);
  const priceBand = (id: number) => ((id * 7919) % 990) + 0.5;
  const cases: Case[] = [
    similar('none (baseline)', () => NO_FILTER),
    similar('categories: 1 of 100 (1%)', ({ id }) => oneCategory(id)),
    similar('categories: 50 of 100 (50%)', () => neighbourFilter({ categories: Array.from({ length: 50 }, (_, i) => category(i)) }, undefined)),
    similar('excludeCategories: 99 of 100 (1%)', ({ id }) => neighbourFilter({ excludeCategories: Array.from({ length: 99 }, (_, i) => category(id * 7 + i + 1)) }, undefined)),
    similar(`excludeIds: ${MAX_FILTER_IDS}, the ${k} nearest among them`, ({ unfiltered, excluded }) =>
      neighbourFilter({ excludeIds: [...unfiltered.map((n) => n.product.id), ...excluded] }, undefined),
    ),
    similar('maxDistance: the 3rd neighbour\'s distance', (query) => neighbourFilter(undefined, bound(query))),
    similar('where inStock (90%)', () => where([{ key: 'inStock', eq: true }])),
    similar('where brand (10%)', ({ id }) => where([{ key: 'brand', eq: brand(id) }])),
    similar('where price in a band of 10 (1%)', ({ id }) => where([{ key: 'price', gte: priceBand(id), lte: priceBand(id) + 10 }])),
    similar('where inStock, brand, price band (0.9%)', ({ id }) =>
      where([{ key: 'inStock', eq: true }, { key: 'brand', eq: brand(id) }, { key: 'price', gte: priceBand(id), lte: priceBand(id) + 100 }]),
    ),
    similar('1% and that maxDistance', (query) => neighbourFilter({ categories: [category(query.id * 7)] }, bound(query))),
    recommend('recommend: 5 positives, 2 negatives', () => NO_FILTER),
    recommend('recommend: 5 positives, 2 negatives, 1%', ({ id }) => oneCategory(id)),
  ];
  const times = cases.map(() => [] as number[]);
  const reference = cases.map(() => [] as number[]);
  let identical = 0;
  let compared = 0;
  for (let n = 0; n < queries; n++) {
    const id = pick();
    const query: Query = {
      id,
      unfiltered: [],
      excluded: Array.from({ length: MAX_FILTER_IDS - k }, pick),
      positives: [id, pick(), pick(), pick(), pick()],
      negatives: [pick(), pick()],
    };
    for (const [c, { run, reference: plain }] of cases.entries()) {
      const begun = performance.now();
      const found = await run(query);
      times[c]!.push(performance.now() - begun);
      if (c === 0) query.unfiltered = found;
      if (n < referenceQueries) {
        const plainStarted = performance.now();
        const expected = await plain(query);
        reference[c]!.push(performance.now() - plainStarted);
        compared++;
        if (JSON.stringify(expected) === JSON.stringify(found)) identical++;
        else console.log(`${cases[c]!.name}, product ${id}: differs from pgvector`);
      }
    }
  }
  const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;
  const base50 = p(times[0]!, 0.5);
  const base95 = p(times[0]!, 0.95);
  console.log(`\n${machine()} (at the end)\n`);
  printTable(
    ['case', 'p50 ms', 'p95 ms', 'p50 / unfiltered', 'p95 / unfiltered', `plain pgvector p50 ms (${referenceQueries})`],
    cases.map(({ name }, c) => [name, ms(p(times[c]!, 0.5)), ms(p(times[c]!, 0.95)), ratio(p(times[c]!, 0.5), base50), ratio(p(times[c]!, 0.95), base95), ms(p(reference[c]!, 0.5))]),
  );
  console.log(`\n${identical}/${compared} answers identical to pgvector's with the same WHERE`);
  if (identical !== compared) process.exitCode = 1;

  // While a store flips stock: every update is one change-log entry, read
  // by the next query as attributes alone. Each phase runs for the same time.
  const inStock = where([{ key: 'inStock', eq: true }]);
  const PHASE_MS = 15_000;
  const measure = async () => {
    const taken: number[][] = [[], []];
    for (const until = performance.now() + PHASE_MS; performance.now() < until; ) {
      for (const [c, filter] of [NO_FILTER, inStock].entries()) {
        // Each query in a turn of its own, as requests over HTTP are: the updates' timers get theirs.
        await new Promise(setImmediate);
        const begun = performance.now();
        await similarity.similarProducts(pick(), k, filter);
        taken[c]!.push(performance.now() - begun);
      }
    }
    return taken;
  };
  const idle = await measure();
  let updates = 0;
  let flipping = true;
  const flipper = (async () => {
    const began = performance.now();
    while (flipping) {
      await services.catalog.updateProduct(pick(), { attributesPatch: { inStock: random() < 0.9 } });
      updates++;
      const due = began + (updates * 1000) / UPDATES_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    return updates / ((performance.now() - began) / 1000);
  })();
  const during = await measure();
  flipping = false;
  const rate = await flipper;
  console.log(`\nsimilarProducts while inStock is flipped on random products: ${rate.toFixed(0)} updates a second achieved, ${updates} in ${PHASE_MS / 1000} s; idle for as long before\n`);
  printTable(
    ['case', 'idle p50 ms', 'idle p95 ms', 'during p50 ms', 'during p95 ms', 'during p50 / idle unfiltered p50'],
    ['unfiltered', 'where inStock (90%)'].map((name, c) => [
      name,
      ms(p(idle[c]!, 0.5)),
      ms(p(idle[c]!, 0.95)),
      ms(p(during[c]!, 0.5)),
      ms(p(during[c]!, 0.95)),
      ratio(p(during[c]!, 0.5), p(idle[0]!, 0.5)),
    ]),
  );
} finally {
  await services.close();
  await rm(root, { recursive: true, force: true });
}
