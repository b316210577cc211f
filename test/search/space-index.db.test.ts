import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { fromVector } from '../../src/db/vector.js';
import { SpaceIndex } from '../../src/search/space-index.js';
import { VectorTable } from '../../src/search/vector-table.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { seededRandom } from '../../harness/vectors.js';
import { activate, createShuffledVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';

for (const kind of DATABASE_KINDS) {
  describe(`SpaceIndex on ${kind} loaded from the database`, () => {
    let database: Database;
    let store: Store;

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const random = seededRandom(17);
      const products = await store.products.insertMany(hardVectors(random, 2048, 50).map((features, i) => newProduct(`p${i}`, features)));
      await activate(store, await createShuffledVersion(store, random, products.map((p) => p.id)));
    });
    after(() => database.close());

    test('holds every product of the space exactly as a table given the vectors pgvector prints does', async () => {
      const { generation, activeSpace } = await store.search.state();
      const index = new SpaceIndex(activeSpace, store.search);
      await index.reach(generation);
      const { rows } = await sql<{ id: number; vector: string }>`select product_id as id, embedding::text as vector from embeddings
        where model_version_id = ${activeSpace} order by product_id`.execute(database.db);
      const expected = new VectorTable();
      for (const row of rows) expected.set(row.id, fromVector(row.vector));
      assert.equal(index.size, rows.length);
      for (const row of rows) assert.deepEqual(index.vectorOf(row.id), expected.vectorOf(row.id), `product ${row.id}`);
    });
  });
}
