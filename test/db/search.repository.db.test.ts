import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import type { StoredVector } from '../../src/db/search.repository.js';
import { Store } from '../../src/db/store.js';
import { fromVector } from '../../src/db/vector.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { seededRandom } from '../../harness/vectors.js';
import { createShuffledVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';
import type { EmbeddingSpace } from '../../src/domain/embedding-space.js';

const PRODUCTS = 40;
/** Spelled in the catalog's words: accents, a quote, and none. */
const CATEGORIES = ['Shirt', "Chaussures d'été", null];

for (const kind of DATABASE_KINDS) {
  describe(`SearchRepository on ${kind} reads a space's vectors exactly as stored`, () => {
    let database: Database;
    let store: Store;
    let ids: number[];
    let versionId: number;

    /** The space as pgvector prints its vectors, in product id order: the shortest text that reads back as the same float32s. */
    async function printed(space: EmbeddingSpace): Promise<StoredVector[]> {
      const { rows } = await (space === null
        ? sql<{ id: number; vector: string; key: string | null }>`select id, features::text as vector, category_key as key from products order by id`
        : sql<{ id: number; vector: string; key: string | null }>`select e.product_id as id, e.embedding::text as vector, p.category_key as key
            from embeddings e join products p on p.id = e.product_id where e.model_version_id = ${space} order by e.product_id`
      ).execute(database.db);
      return rows.map((row) => ({ productId: row.id, vector: fromVector(row.vector), categoryKey: row.key }));
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const random = seededRandom(5);
      const products = await store.products.insertMany(
        hardVectors(random, 2048, PRODUCTS).map((features, i) => ({ ...newProduct(`p${i}`, features), category: CATEGORIES[i % CATEGORIES.length]! })),
      );
      ids = products.map((p) => p.id);
      // The last product has no embedding in the version.
      versionId = await createShuffledVersion(store, random, ids.slice(0, -1));
    });
    after(() => database.close());

    for (const space of ['raw features', 'model version'] as const) {
      test(`vectorsAfter pages through every vector of the ${space} in id order, with its category key`, async () => {
        const spaceId = space === 'raw features' ? null : versionId;
        const expected = await printed(spaceId);
        assert.equal(expected.length, space === 'raw features' ? PRODUCTS : PRODUCTS - 1);
        assert.ok(expected.some((row) => row.categoryKey === null) && expected.some((row) => row.categoryKey?.includes("'")));
        for (const limit of [1, 7, 1000]) {
          const read: StoredVector[] = [];
          for (let page = await store.search.vectorsAfter(spaceId, 0, limit); page.length > 0; ) {
            assert.ok(page.length <= limit);
            read.push(...page);
            page = await store.search.vectorsAfter(spaceId, page.at(-1)!.productId, limit);
          }
          assert.deepEqual(read, expected, `pages of ${limit}`);
        }
      });

      test(`eachVector hands over every vector of the ${space} once, each range of ids in order, a statement ahead`, async () => {
        const spaceId = space === 'raw features' ? null : versionId;
        const expected = await printed(spaceId);
        for (const perStatement of [1, 8, 13, 2000]) {
          for (const ranges of [1, 2, 3, 7, ids.length + 5]) {
            const read: StoredVector[] = [];
            await store.search.eachVector(spaceId, (productId, vector, categoryKey) => read.push({ productId, vector: vector.slice(), categoryKey }), perStatement, ranges);
            if (ranges === 1) assert.deepEqual(read, expected, `${perStatement} a statement, one range`);
            else assert.deepEqual(read.sort((a, b) => a.productId - b.productId), expected, `${perStatement} a statement, ${ranges} ranges`);
          }
        }
      });

      test(`eachVector stops at the first vector its caller refuses, and the database goes on (${space})`, async () => {
        const spaceId = space === 'raw features' ? null : versionId;
        let handed = 0;
        const refused = store.search.eachVector(
          spaceId,
          () => {
            if (++handed === 10) throw new Error('refused');
          },
          4,
        );
        await assert.rejects(refused, /refused/);
        assert.equal(handed, 10);
        assert.equal((await store.search.vectorsOf(spaceId, [ids[0]!])).length, 1);
      });

      test(`vectorsOf reads the ${space} vectors of the products asked for alone`, async () => {
        const spaceId = space === 'raw features' ? null : versionId;
        const asked = [ids.at(-1)!, ids[3]!, ids[0]!, ids[17]!, 999_999];
        const expected = (await printed(spaceId)).filter((row) => asked.includes(row.productId));
        const read = await store.search.vectorsOf(spaceId, asked);
        assert.deepEqual(
          read.sort((a, b) => a.productId - b.productId),
          expected,
        );
      });
    }
  });
}
