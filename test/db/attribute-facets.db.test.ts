import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Attributes } from '../../src/domain/attributes.js';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { newProduct } from '../../harness/catalog-fixtures.js';

const CATALOG: Attributes[] = [
  { inStock: true, price: 12.5, brand: 'Acme', sizes: ['S', 'M', 'M'], mixed: 1 },
  { inStock: false, price: 99, brand: 'Acme', sizes: ['M'], mixed: 'one' },
  { inStock: true, price: -3, brand: 'Globex', sizes: [] },
  { brand: 'Ünïcode', colour: 'red' },
  {},
];

for (const kind of DATABASE_KINDS) {
  describe(`the catalog's attribute facets on ${kind}`, () => {
    let database: Database;
    let store: Store;

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      await store.products.insertMany(CATALOG.map((attributes, i) => ({ ...newProduct(`p${i}`, new Float32Array(2048)), attributes })));
    });
    after(() => database.close());

    test('one facet per key whose values share a type, most products first; a list counts each string once a product', async () => {
      const facets = await store.products.attributeFacets(100, 30);
      assert.deepEqual(facets, [
        { key: 'brand', kind: 'STRING', productCount: 4, min: null, max: null, distinctValues: 3, values: [{ value: 'Acme', productCount: 2 }, { value: 'Globex', productCount: 1 }, { value: 'Ünïcode', productCount: 1 }] },
        { key: 'inStock', kind: 'BOOLEAN', productCount: 3, min: null, max: null, distinctValues: 0, values: [] },
        { key: 'price', kind: 'NUMBER', productCount: 3, min: -3, max: 99, distinctValues: 0, values: [] },
        { key: 'sizes', kind: 'STRING', productCount: 3, min: null, max: null, distinctValues: 2, values: [{ value: 'M', productCount: 2 }, { value: 'S', productCount: 1 }] },
        { key: 'colour', kind: 'STRING', productCount: 1, min: null, max: null, distinctValues: 1, values: [{ value: 'red', productCount: 1 }] },
      ]);
    });

    test('at most the keys and values asked for, with the count of all values', async () => {
      const facets = await store.products.attributeFacets(1, 1);
      assert.deepEqual(facets, [{ key: 'brand', kind: 'STRING', productCount: 4, min: null, max: null, distinctValues: 3, values: [{ value: 'Acme', productCount: 2 }] }]);
    });
  });
}
