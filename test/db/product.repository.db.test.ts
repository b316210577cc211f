import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NewProduct } from '../../src/domain/product.js';
import type { Database } from '../../src/db/database.js';
import { ProductRepository } from '../../src/db/product.repository.js';
import { SearchRepository } from '../../src/db/search.repository.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { l2, randomVector, seededRandom } from '../../harness/vectors.js';

const FEATURES = 2048;

function newProduct(sku: string, features: Float32Array, category: string | null = null): NewProduct {
  return { sku, name: `Product ${sku}`, category, thumbnail: new Uint8Array([1, 2, 3]), imageWidth: 640, imageHeight: 480, features };
}

for (const kind of DATABASE_KINDS) {
  describe(`ProductRepository on ${kind}`, () => {
    let database: Database;
    let products: ProductRepository;
    let search: SearchRepository;
    const random = seededRandom(7);
    const catalog = Array.from({ length: 40 }, (_, i) =>
      newProduct(`sku-${i}`, randomVector(random, FEATURES), i % 3 === 0 ? 'shoes' : 'bags'),
    );

    before(async () => {
      database = await openTestDatabase(kind);
      products = new ProductRepository(database.db);
      search = new SearchRepository(database.db);
      await products.insertMany(catalog);
    });
    after(() => database.close());

    test('reads thumbnails alone by id, and nothing for an id that names no product', async () => {
      const [stored] = await products.insertMany([{ ...newProduct('thumb-1', randomVector(random, FEATURES)), thumbnail: new Uint8Array([82, 73, 70, 70, 0, 255]) }]);
      const thumbnails = await products.thumbnails([stored!.id, 2_000_000_000]);
      assert.deepEqual([...thumbnails.keys()], [stored!.id]);
      assert.deepEqual(Array.from(thumbnails.get(stored!.id)!), [82, 73, 70, 70, 0, 255]);
      await products.delete(stored!.id);
    });

    test('lists and lookups leave the thumbnail bytes unread', async () => {
      const listed = (await products.page({ first: 3 })).products;
      const first = listed[0]!;
      const read = [
        ...listed,
        (await products.findById(first.id))!,
        (await products.findBySku(first.sku))!,
        ...(await products.findBySkus([first.sku])),
        ...(await search.nearest(null, randomVector(random, FEATURES), 2)).map((n) => n.product),
      ];
      for (const product of read) assert.equal('thumbnail' in product, false, `product ${product.id} carries its thumbnail`);
    });

    test('lists the categories holding most products first, ties by name, as many as asked', async () => {
      const added = await products.insertMany([
        newProduct('zebra-1', randomVector(random, FEATURES), 'zebra'),
        newProduct('antelope-1', randomVector(random, FEATURES), 'antelope'),
        newProduct('no-category', randomVector(random, FEATURES)),
      ]);
      try {
        assert.deepEqual(await products.largestCategories(10), [
          { name: 'bags', productCount: 26 },
          { name: 'shoes', productCount: 14 },
          { name: 'antelope', productCount: 1 },
          { name: 'zebra', productCount: 1 },
        ]);
        assert.deepEqual(await products.largestCategories(1), [{ name: 'bags', productCount: 26 }]);
      } finally {
        for (const product of added) await products.delete(product.id);
      }
    });

    test('stores a product with its fields and gives it an id', async () => {
      const [stored] = await products.insertMany([newProduct('new-1', randomVector(random, FEATURES), 'hats')]);
      assert.ok(stored);
      const found = await products.findById(stored.id);
      assert.equal(found?.sku, 'new-1');
      assert.equal(found?.category, 'hats');
      assert.deepEqual(Array.from((await products.thumbnails([stored.id])).get(stored.id)!), [1, 2, 3]);
      assert.ok(found!.createdAt instanceof Date);
      await products.delete(stored.id);
    });

    test('keeps features exactly as float32', async () => {
      const first = (await products.page({ first: 1 })).products[0]!;
      assert.deepEqual(await search.vectorOf(null, first.id), catalog[0]!.features);
    });

    test('rejects a duplicate sku with a unique violation', async () => {
      await assert.rejects(products.insertMany([newProduct('sku-1', randomVector(random, FEATURES))]), { code: '23505' });
    });

    test('ranks neighbours by exact L2, the query product excluded, as brute force does', async () => {
      const first = (await products.page({ first: 1 })).products[0]!;
      const query = catalog[0]!.features;
      const found = await search.nearest(null, query, 6, undefined, first.id);
      const expected = catalog
        .slice(1)
        .map((p) => ({ sku: p.sku, distance: l2(query, p.features) }))
        .sort((a, b) => a.distance - b.distance)
        .slice(0, 6);
      assert.deepEqual(found.map((n) => n.product.sku), expected.map((e) => e.sku));
      found.forEach((n, i) => assert.ok(Math.abs(n.distance - expected[i]!.distance) < 1e-3));
    });

    test('breaks ties in distance by id', async () => {
      const twin = randomVector(random, FEATURES);
      const stored = await products.insertMany([newProduct('twin-b', twin), newProduct('twin-a', twin)]);
      const found = await search.nearest(null, twin, 2);
      assert.deepEqual(found.map((n) => n.product.id), stored.map((p) => p.id).sort((a, b) => a - b));
      assert.deepEqual(found.map((n) => n.distance), [0, 0]);
      for (const p of stored) await products.delete(p.id);
    });

    test('pages through a category in id order with a next-page flag', async () => {
      const first = await products.page({ first: 5, category: 'shoes' });
      const second = await products.page({ first: 10, category: 'shoes', afterId: first.products.at(-1)!.id });
      assert.equal(first.products.length, 5);
      assert.equal(first.hasNextPage, true);
      assert.equal(second.products.length, 9);
      assert.equal(second.hasNextPage, false);
      const ids = [...first.products, ...second.products].map((p) => p.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.ok([...first.products, ...second.products].every((p) => p.category === 'shoes'));
    });

    test('counts and deletes products', async () => {
      const [extra] = await products.insertMany([newProduct('extra', randomVector(random, FEATURES))]);
      assert.equal(await products.count(), catalog.length + 1);
      assert.equal(await products.delete(extra!.id), true);
      assert.equal(await products.delete(extra!.id), false);
      assert.equal(await products.count(), catalog.length);
    });

    test('finds which skus exist already', async () => {
      assert.deepEqual((await products.findExistingSkus(['sku-3', 'nope', 'sku-5'])).sort(), ['sku-3', 'sku-5']);
    });

    test('spells a category as the catalog first stored it, ignoring case, Unicode letters included', async () => {
      const [ecole] = await products.insertMany([newProduct('école', randomVector(random, FEATURES), 'Écoles')]);
      assert.deepEqual(await products.categorySpellings(['SHOES', 'Bags', null, 'ÉCOLES', 'écoles']), ['shoes', 'bags', null, 'Écoles', 'Écoles']);
      await products.delete(ecole!.id);
    });

    test('a category new to the catalog takes its first spelling in the batch', async () => {
      assert.deepEqual(await products.categorySpellings(['Hats', null, 'HATS', 'coats', 'hats']), ['Hats', null, 'Hats', 'coats', 'Hats']);
    });

    test('matches categories by full case mappings, where one letter is two in the other case', async () => {
      const [street] = await products.insertMany([newProduct('straße', randomVector(random, FEATURES), 'Straße')]);
      assert.deepEqual(await products.categorySpellings(['STRASSE', 'strasse']), ['Straße', 'Straße']);
      assert.deepEqual((await products.page({ first: 10, category: 'STRASSE' })).products.map((p) => p.sku), ['straße']);
      await products.delete(street!.id);
    });

    test('filters a page by category ignoring case', async () => {
      const page = await products.page({ first: 100, category: 'SHOES' });
      assert.equal(page.products.length, 14);
      assert.ok(page.products.every((p) => p.category === 'shoes'));
    });
  });
}
