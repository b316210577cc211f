import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createShuffledVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';
import type { EmbeddingSpace } from '../../src/domain/embedding-space.js';

const PRODUCTS = 60;

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch on ${kind} answers exactly as pgvector's ORDER BY distance, id`, () => {
    let database: Database;
    let store: Store;
    let ids: number[];
    let versionId: number;
    const random = seededRandom(23);

    /** The plain pgvector query over the whole space: the reference. */
    async function reference(space: EmbeddingSpace, productId: number, k: number) {
      const query = space === null ? await store.search.vectorOf(null, productId) : await store.search.vectorOf(space, productId);
      return store.search.nearest(space, query!, k, undefined, productId);
    }

    async function assertSameForEveryProduct(search: ExactSearch, space: EmbeddingSpace): Promise<void> {
      for (const [i, id] of ids.entries()) {
        for (const k of i % 4 === 0 ? [1, 6, 25] : [6]) {
          const found = await search.similarTo(id, k);
          assert.equal(found?.space, space);
          assert.deepEqual(found.neighbours, await reference(space, id, k), `product ${id}, k ${k}`);
        }
      }
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const products = await store.products.insertMany(hardVectors(random, 2048, PRODUCTS).map((features, i) => newProduct(`p${i}`, features)));
      ids = products.map((p) => p.id);
      versionId = await createShuffledVersion(store, random, ids);
    });
    after(() => database.close());

    test('in the ResNet50 features, for every product, ties and duplicates included', async () => {
      await assertSameForEveryProduct(new ExactSearch(store.search), null);
    });

    test('for vectors that are not in the catalog', async () => {
      const search = new ExactSearch(store.search);
      const duplicate = (await store.search.vectorOf(null, ids[1]!))!;
      for (const query of [duplicate, randomVector(random, 2048)]) {
        for (const k of [1, 6, 40]) assert.deepEqual(await search.nearest(null, query, k), await store.search.nearest(null, query, k));
      }
    });

    test('in an active model version, for every product', async () => {
      await activate(store, versionId);
      await assertSameForEveryProduct(new ExactSearch(store.search), versionId);
      const query = (await store.search.vectorOf(versionId, ids[5]!))!;
      assert.deepEqual(await new ExactSearch(store.search).nearest(versionId, query, 6), await store.search.nearest(versionId, query, 6));
    });

    test('from pgvector alone when the index cannot hold the space, and says so once in the log', async () => {
      const lines: string[] = [];
      const search = new ExactSearch(store.search, 4 * 65_536, undefined, (line) => lines.push(line));
      for (const id of ids.slice(0, 10)) assert.deepEqual((await search.similarTo(id, 6))?.neighbours, await reference(versionId, id, 6));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /does not fit in the in-process index .*pgvector answers every query alone/);
    });

    test('says a product without a vector in the space is not there', async () => {
      const search = new ExactSearch(store.search);
      assert.equal(await search.similarTo(ids.at(-1)! + 1000, 6), undefined);
    });
  });
}
