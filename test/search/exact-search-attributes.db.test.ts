import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import type { AttributeConditionInput } from '../../src/domain/attribute-condition.js';
import type { AttributeValue, Attributes } from '../../src/domain/attributes.js';
import { neighbourFilter, type NeighbourFilter } from '../../src/domain/neighbour-filter.js';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { toVector } from '../../src/db/vector.js';
import { ExactSearch } from '../../src/search/exact-search.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createShuffledVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';
import type { EmbeddingSpace } from '../../src/domain/embedding-space.js';

const PRODUCTS = 80;

/** A store's attributes with what makes rules hard: missing keys, tied and equal numbers, numbers as strings, lists, unicode. */
function attributesFor(random: () => number): Attributes {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const attributes: Record<string, AttributeValue> = {};
  if (random() < 0.8) attributes.brand = pick(['Acme', 'acme', 'Globex', 'Ünïcode', 'Üni\u0308code']);
  if (random() < 0.85) attributes.price = pick<AttributeValue>([0, 9.99, 10, 12, 12.5, 100, 1e-7, -3, '12', '10']);
  if (random() < 0.7) attributes.inStock = random() < 0.6;
  if (random() < 0.6) attributes.sizes = ['S', 'M', 'L', 'XL'].filter(() => random() < 0.5);
  if (random() < 0.3) attributes.color = pick(['red', 'blue', 'M']);
  return attributes;
}

const RULES: AttributeConditionInput[][] = [
  [{ key: 'inStock', eq: true }],
  [{ key: 'inStock', eq: false }],
  [{ key: 'brand', in: ['Acme', 'Ünïcode'] }],
  [{ key: 'brand', eq: 'acme' }],
  [{ key: 'price', gte: 10, lte: 100 }],
  [{ key: 'price', eq: 12 }],
  [{ key: 'price', eq: '12' }],
  [{ key: 'price', in: [10, '10', 0] }],
  [{ key: 'price', lte: 1e-7 }],
  [{ key: 'sizes', eq: 'M' }],
  [{ key: 'sizes', in: ['XL', 'S'] }],
  [{ key: 'color', in: ['M'] }],
  [{ key: 'brand', exists: false }],
  [{ key: 'brand', exists: true }, { key: 'inStock', eq: false }],
  [{ key: 'nothing', exists: false }],
  [{ key: 'nothing', exists: true }],
  [{ key: 'price', exists: false, gte: 0 }],
  [{ key: 'inStock', eq: true }, { key: 'price', gte: 10 }, { key: 'sizes', in: ['M', 'L'] }],
];

/**
 * The reference's reading of one condition, written apart from the service's
 * SQL (db/attribute-conditions.ts): explicit types and float8 instead of
 * containment and numeric.
 */
function referenceCondition({ key, eq, in: anyOf, gte, lte, exists }: AttributeConditionInput): RawBuilder<boolean> {
  const value = sql`(p.attributes -> ${key}::text)`;
  const equals = (wanted: unknown) =>
    typeof wanted === 'number'
      ? sql`(jsonb_typeof(${value}) = 'number' and (${value} #>> '{}')::float8 = ${wanted}::float8)`
      : typeof wanted === 'boolean'
        ? sql`(jsonb_typeof(${value}) = 'boolean' and (${value} #>> '{}')::boolean = ${wanted}::boolean)`
        : sql`((jsonb_typeof(${value}) = 'string' and ${value} #>> '{}' = ${wanted}::text)
               or (jsonb_typeof(${value}) = 'array' and exists (select 1 from jsonb_array_elements_text(${value}) item where item = ${wanted}::text)))`;
  const parts: RawBuilder<unknown>[] = [];
  if (exists !== undefined && exists !== null) parts.push(exists ? sql`(p.attributes ? ${key}::text)` : sql`not (p.attributes ? ${key}::text)`);
  if (eq !== undefined && eq !== null) parts.push(equals(eq));
  if (anyOf) parts.push(sql`(${sql.join(anyOf.map(equals), sql` or `)})`);
  const number = sql`(case when jsonb_typeof(${value}) = 'number' then (${value} #>> '{}')::float8 end)`;
  if (gte !== undefined && gte !== null) parts.push(sql`coalesce(${number} >= ${gte}::float8, false)`);
  if (lte !== undefined && lte !== null) parts.push(sql`coalesce(${number} <= ${lte}::float8, false)`);
  return sql<boolean>`coalesce((${sql.join(parts, sql` and `)}), false)`;
}

for (const kind of DATABASE_KINDS) {
  describe(`ExactSearch under attribute rules on ${kind} answers as pgvector with the rules in its WHERE clause`, () => {
    let database: Database;
    let store: Store;
    let ids: number[];
    let versionId: number;
    const random = seededRandom(47);

    async function reference(space: EmbeddingSpace, query: Float32Array, k: number, rules: AttributeConditionInput[], excludeId = 0) {
      const column = space === null ? sql`p.features` : sql`e.embedding`;
      const from = space === null ? sql`products p` : sql`embeddings e join products p on p.id = e.product_id and e.model_version_id = ${space}`;
      const distance = sql`${column} <-> ${toVector(query)}::vector`;
      const { rows } = await sql<{ id: number; distance: number }>`
        select p.id, ${distance} as distance from ${from}
        where p.id <> ${excludeId} and ${sql.join([sql`true`, ...rules.map(referenceCondition)], sql` and `)}
        order by distance, p.id limit ${k}`.execute(database.db);
      return rows.map((row) => ({ id: row.id, distance: row.distance }));
    }

    const filterOf = (rules: AttributeConditionInput[]): NeighbourFilter => neighbourFilter({ where: rules }, undefined);

    async function assertSame(search: ExactSearch, space: EmbeddingSpace): Promise<void> {
      for (const [i, id] of ids.entries()) {
        if (i % 4 !== 0) continue;
        const k = i % 8 === 0 ? 20 : 6;
        const query = (space === null ? await store.search.vectorOf(null, id) : await store.search.vectorOf(space, id))!;
        for (const rules of RULES) {
          const found = await search.similarTo(id, k, filterOf(rules));
          const label = `product ${id}, k ${k}, ${JSON.stringify(rules)}`;
          assert.deepEqual(found?.neighbours.map((n) => ({ id: n.product.id, distance: n.distance })), await reference(space, query, k, rules, id), label);
        }
      }
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const products = await store.products.insertMany(
        hardVectors(random, 2048, PRODUCTS).map((vector, i) => ({ ...newProduct(`p${i}`, vector), attributes: attributesFor(random) })),
      );
      ids = products.map((p) => p.id);
      versionId = await createShuffledVersion(store, random, ids);
    });
    after(() => database.close());

    test('the reference itself tells the rules apart: each admits some products and not others, or none', async () => {
      for (const rules of RULES.slice(0, 12)) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from products p where ${sql.join([sql`true`, ...rules.map(referenceCondition)], sql` and `)}`.execute(database.db);
        assert.ok(rows[0]!.n > 0 && rows[0]!.n < PRODUCTS, `${JSON.stringify(rules)} admits ${rows[0]!.n}`);
      }
    });

    test('in the ResNet50 features, for every fourth product, ties and duplicates included', async () => {
      await assertSame(new ExactSearch(store.search), null);
    });

    test('in an active model version', async () => {
      await activate(store, versionId);
      await assertSame(new ExactSearch(store.search), versionId);
    });

    test('for vectors that are not in the catalog, and from pgvector alone when the index cannot hold the space', async () => {
      for (const search of [new ExactSearch(store.search), new ExactSearch(store.search, 4 * 65_536)]) {
        const query = randomVector(random, 512);
        for (const rules of RULES) {
          const found = await search.nearest(versionId, query, 6, filterOf(rules));
          assert.deepEqual(found.map((n) => ({ id: n.product.id, distance: n.distance })), await reference(versionId, query, 6, rules), JSON.stringify(rules));
        }
      }
    });

    test('attributes changed by another writer are followed by the next search, and the change log marks them as attributes alone', async () => {
      const search = new ExactSearch(store.search);
      const rules = [{ key: 'flag', eq: 'on' }];
      assert.deepEqual((await search.similarTo(ids[0]!, 6, filterOf(rules)))?.neighbours, []);
      const { generation } = await store.search.state();
      await database.db.updateTable('products').set({ attributes: JSON.stringify({ flag: 'on' }) }).where('id', 'in', [ids[5]!, ids[9]!]).execute();
      const changes = await store.search.changedSince(generation);
      assert.deepEqual(changes.productIds, [], 'no vector to read again');
      assert.deepEqual([...changes.attributesChanged].sort((a, b) => a - b), [ids[5], ids[9]]);
      const found = await search.similarTo(ids[0]!, 6, filterOf(rules));
      assert.deepEqual(found?.neighbours.map((n) => n.product.id).sort((a, b) => a - b), [ids[5], ids[9]]);

      await database.db.updateTable('products').set({ attributes: '{}' }).where('id', '=', ids[5]!).execute();
      assert.deepEqual((await search.similarTo(ids[0]!, 6, filterOf(rules)))?.neighbours.map((n) => n.product.id), [ids[9]]);
    });

    test('a vector written after an attribute change is still read again by a reader behind both', async () => {
      const { generation } = await store.search.state();
      await database.db.updateTable('products').set({ category: 'Moved', category_key: 'moved' }).where('id', '=', ids[2]!).execute();
      await database.db.updateTable('products').set({ attributes: JSON.stringify({ later: true }) }).where('id', '=', ids[2]!).execute();
      const changes = await store.search.changedSince(generation);
      assert.deepEqual(changes.productIds, [ids[2]]);
      assert.deepEqual(changes.attributesChanged, []);
    });
  });
}
