import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nearDuplicatePage, type NearDuplicatePage, type ScanLimits } from '../../src/catalog/near-duplicates.js';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { newProduct } from '../../harness/catalog-fixtures.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { openTestDatabase } from '../support/database.js';

/** 40 products far apart, but for the same vector under three skus at indexes 25, 30 and 35: sparse pairs. */
const CATALOG = 40;
const TWINS = [25, 30, 35];

describe('how far a page of nearDuplicates scans', () => {
  let database: Database;
  let store: Store;
  let search: ExactSearch;
  let ids: number[];

  before(async () => {
    database = await openTestDatabase('pglite');
    store = new Store(database.db);
    search = new ExactSearch(store.search);
    const random = seededRandom(41);
    const twin = randomVector(random, 2048);
    const vectors = Array.from({ length: CATALOG }, (_, i) => (TWINS.includes(i) ? twin : randomVector(random, 2048)));
    ids = (await store.products.insertMany(vectors.map((v, i) => newProduct(`sku${i}`, v)))).map((p) => p.id);
  });
  after(() => database?.close());

  const page = (limits: ScanLimits, first: number, after?: NearDuplicatePage['end']) =>
    nearDuplicatePage(store, search, { maxDistance: 0, first, after: after ?? undefined, limits });

  /** Every page, following end until there is no next page. */
  async function allPages(limits: ScanLimits, first: number): Promise<NearDuplicatePage[]> {
    const pages = [await page(limits, first)];
    while (pages.at(-1)!.hasNextPage) pages.push(await page(limits, first, pages.at(-1)!.end));
    return pages;
  }

  const pairsOf = (pages: NearDuplicatePage[]) => pages.flatMap((p) => p.pairs.map((pair) => [pair.a.id, pair.b.id]));
  const twinPairs = () => [
    [ids[25], ids[30]],
    [ids[25], ids[35]],
    [ids[30], ids[35]],
  ];

  test('scans past products without pairs to fill the page, and says where it stopped', async () => {
    const first = await page({ products: 1000, timeMs: 60_000 }, 2);
    assert.deepEqual(pairsOf([first]), twinPairs().slice(0, 2));
    assert.equal(first.stoppedBy, 'PAGE_FULL');
    assert.equal(first.hasNextPage, true);
    assert.equal(first.scannedThrough, ids[25]);
    assert.equal(first.scannedProducts, 26);
  });

  test('a page that reaches the end of the catalog says so and has no next page', async () => {
    const [only, ...more] = await allPages({ products: 1000, timeMs: 60_000 }, 50);
    assert.deepEqual(more, []);
    assert.deepEqual(pairsOf([only!]), twinPairs());
    assert.equal(only!.stoppedBy, 'CATALOG_END');
    assert.equal(only!.hasNextPage, false);
    assert.equal(only!.scannedProducts, CATALOG);
    assert.equal(only!.scannedThrough, ids.at(-1));
  });

  test('a page stops at its product limit once it holds a pair; one with none yet scans on, so none comes back empty with a next page', async () => {
    const pages = await allPages({ products: 10, timeMs: 60_000 }, 50);
    for (const page of pages.slice(0, -1)) {
      assert.ok(page.pairs.length > 0, `page through ${page.scannedThrough} is empty`);
      assert.equal(page.stoppedBy, 'PRODUCT_LIMIT');
      assert.ok(page.scannedProducts >= 10);
    }
    assert.equal(pages.at(-1)!.stoppedBy, 'CATALOG_END');
    assert.ok(pages[0]!.scannedProducts > 10, 'the first pair lies past the tenth product: the first page scanned on to it');
    assert.deepEqual(pairsOf(pages), twinPairs());
  });

  test('a page whose time runs out answers with what it found, after at least one product', async () => {
    const pages = await allPages({ products: 1000, timeMs: 0 }, 50);
    assert.equal(pages.length, CATALOG);
    for (const p of pages.slice(0, -1)) assert.deepEqual([p.stoppedBy, p.scannedProducts, p.hasNextPage], ['TIME_BUDGET', 1, true]);
    assert.equal(pages.at(-1)!.stoppedBy, 'CATALOG_END');
    assert.deepEqual(pairsOf(pages), twinPairs());
    assert.deepEqual(pages.map((p) => p.scannedThrough), ids);
  });

  test('on an empty catalog the one page scans nothing', async () => {
    const empty = await openTestDatabase('pglite');
    try {
      const emptyStore = new Store(empty.db);
      const only = await nearDuplicatePage(emptyStore, new ExactSearch(emptyStore.search), { maxDistance: 0, first: 5, limits: { products: 10, timeMs: 0 } });
      assert.deepEqual([only.pairs, only.hasNextPage, only.scannedProducts, only.scannedThrough, only.stoppedBy], [[], false, 0, null, 'CATALOG_END']);
    } finally {
      await empty.close();
    }
  });
});
