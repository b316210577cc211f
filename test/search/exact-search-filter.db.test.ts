import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { neighbourFilter, type FilterInput, type NeighbourFilter } from '../../src/domain/neighbour-filter.js';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { toVector } from '../../src/db/vector.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createShuffledVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';
import type { EmbeddingSpace } from '../../src/domain/embedding-space.js';

const PRODUCTS = 60;
/** Stored spellings: two products in 'Rare', none in 'Absent'. */
const CATEGORIES = ['Shoes', 'Bags', null, 'Hats', 'Bags', 'Shoes'];

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch under a filter on ${kind} answers as pgvector with the filter in its WHERE clause`, () => {
    let database: Database;
    let store: Store;
    let ids: number[];
    let versionId: number;
    const random = seededRandom(31);

    /** The reference: one plain statement, written here apart from the service's own SQL. */
    async function reference(space: EmbeddingSpace, query: Float32Array, k: number, filter: NeighbourFilter, excludeId = 0) {
      const column = space === null ? sql`p.features` : sql`e.embedding`;
      const from = space === null ? sql`products p` : sql`embeddings e join products p on p.id = e.product_id and e.model_version_id = ${space}`;
      const distance = sql`${column} <-> ${toVector(query)}::vector`;
      const { rows } = await sql<{ id: number; distance: number }>`
        select p.id, ${distance} as distance from ${from}
        where p.id <> ${excludeId}
          and (${filter.categoryKeys ?? null}::text[] is null or p.category_key = any(${filter.categoryKeys ?? null}::text[]))
          and not coalesce(p.category_key = any(${filter.excludedCategoryKeys}::text[]), false)
          and not p.id = any(${filter.excludedIds}::integer[])
          and (${filter.maxDistance ?? null}::float8 is null or ${distance} <= ${filter.maxDistance ?? null}::float8)
        order by distance, p.id limit ${k}`.execute(database.db);
      return rows.map((row) => ({ id: row.id, distance: row.distance }));
    }

    async function vectorOf(space: EmbeddingSpace, id: number) {
      return (space === null ? await store.search.vectorOf(null, id) : await store.search.vectorOf(space, id))!;
    }

    function filters(id: number, k: number): FilterInput[] {
      return [
        {},
        { categories: ['shoes'] },
        { categories: ['  BAGS ', 'rare'] },
        { categories: ['absent'] },
        { categories: [] },
        { excludeCategories: ['Shoes'], excludeIds: [id + 1, id + 2, 999_999] },
        { excludeCategories: ['bags', 'hats', 'shoes', 'rare'] },
        { excludeIds: ids.slice(0, 20) },
        { categories: ['Hats', 'Shoes'], excludeIds: [ids[k]!] },
      ];
    }

    async function assertSame(search: ExactSearch, space: EmbeddingSpace): Promise<void> {
      // Every fifth product, each filter under one of three bounds in turn: seconds, not minutes.
      for (const [i, id] of ids.entries()) {
        if (i % 5 !== 0) continue;
        const k = i % 10 === 0 ? 25 : 6;
        const query = await vectorOf(space, id);
        const unfiltered = await reference(space, query, k, neighbourFilter(undefined, undefined), id);
        // The 4th neighbour's own distance: one exactly at the bound is kept.
        const atBound = unfiltered[3]!.distance;
        for (const [j, input] of filters(id, k).entries()) {
          for (const maxDistance of [[undefined, atBound, atBound * 0.5][(i + j) % 3]]) {
            const filter = neighbourFilter(input, maxDistance);
            const found = await search.similarTo(id, k, filter);
            const expected = await reference(space, query, k, filter, id);
            const label = `product ${id}, k ${k}, ${JSON.stringify(input)}, maxDistance ${maxDistance}`;
            assert.equal(found?.space, space, label);
            assert.deepEqual(found.neighbours.map((n) => ({ id: n.product.id, distance: n.distance })), expected, label);
          }
        }
      }
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const features = hardVectors(random, 2048, PRODUCTS);
      const products = await store.products.insertMany(
        features.map((vector, i) => ({ ...newProduct(`p${i}`, vector), category: i === 7 || i === 40 ? 'Rare' : CATEGORIES[i % CATEGORIES.length]! })),
      );
      ids = products.map((p) => p.id);
      versionId = await createShuffledVersion(store, random, ids);
    });
    after(() => database.close());

    test('in the ResNet50 features, for every product, ties and duplicates included', async () => {
      await assertSame(new ExactSearch(store.search), null);
    });

    test('in an active model version, for every product', async () => {
      await activate(store, versionId);
      await assertSame(new ExactSearch(store.search), versionId);
    });

    test('for vectors that are not in the catalog, and from pgvector alone when the index cannot hold the space', async () => {
      for (const search of [new ExactSearch(store.search), new ExactSearch(store.search, 4 * 65_536)]) {
        for (const query of [await vectorOf(versionId, ids[3]!), randomVector(random, 512)]) {
          for (const input of [{ categories: ['rare'] }, { excludeCategories: ['shoes'], excludeIds: ids.slice(10) }]) {
            for (const maxDistance of [undefined, 30, 0]) {
              const filter = neighbourFilter(input, maxDistance);
              const found = await search.nearest(versionId, query, 6, filter);
              assert.deepEqual(
                found.map((n) => ({ id: n.product.id, distance: n.distance })),
                await reference(versionId, query, 6, filter),
                `${JSON.stringify(input)}, maxDistance ${maxDistance}`,
              );
            }
          }
        }
      }
    });

    test('a selective filter returns every match, not what a filtered top k would leave', async () => {
      const found = await new ExactSearch(store.search).similarTo(ids[0]!, 6, neighbourFilter({ categories: ['RARE'] }, undefined));
      assert.deepEqual(found?.neighbours.map((n) => n.product.id).sort((a, b) => a - b), [ids[7], ids[40]]);
    });

    test('a category changed by another writer is seen by the next filtered search', async () => {
      const search = new ExactSearch(store.search);
      const filter = neighbourFilter({ categories: ['rare'] }, undefined);
      await search.similarTo(ids[0]!, 6, filter);
      await database.db.updateTable('products').set({ category: 'Rare', category_key: 'rare' }).where('id', '=', ids[1]!).execute();
      const found = await search.similarTo(ids[0]!, 6, filter);
      assert.deepEqual(found?.neighbours.map((n) => n.product.id).sort((a, b) => a - b), [ids[1], ids[7], ids[40]]);
    });
  });
}
