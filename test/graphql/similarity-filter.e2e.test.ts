import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { sql } from 'kysely';
import { toVector } from '../../src/db/vector.js';
import { Store } from '../../src/db/store.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import type { Services } from '../../src/services.js';
import { DATABASE_KINDS } from '../support/database.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';
import { createTestServices } from '../support/services.js';
import { seededRandom } from '../../harness/vectors.js';
import { hardVectors, newProduct } from '../../harness/catalog-fixtures.js';
import { readPhoto } from '../../harness/photos.js';

const SIMILAR = `query ($id: ID!, $k: Int!, $filter: SimilarityFilter, $maxDistance: Float) {
  similarProducts(id: $id, k: $k, filter: $filter, maxDistance: $maxDistance) { neighbours { rank distance product { id category } } }
}`;
const TO_IMAGE = `query ($image: String!, $k: Int!, $filter: SimilarityFilter, $maxDistance: Float) {
  similarToImage(image: $image, k: $k, filter: $filter, maxDistance: $maxDistance) { neighbours { distance product { id } } }
}`;
const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id } } }`;
const RECOMMEND = `query ($positive: [ID!]!, $negative: [ID!], $k: Int!, $filter: SimilarityFilter, $maxDistance: Float) {
  recommend(positive: $positive, negative: $negative, k: $k, filter: $filter, maxDistance: $maxDistance) {
    space neighbours { distance product { id } }
  }
}`;

for (const kind of DATABASE_KINDS) describe(`similarProducts and recommend with a filter and maxDistance, through the GraphQL schema, on ${kind}`, () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let ids: string[];
  let vectors: Float32Array[];

  async function execute(query: string, variables: Record<string, unknown> = {}) {
    const response = await server.executeOperation({ query, variables }, { contextValue: staffContext(services) });
    assert.equal(response.body.kind, 'single');
    const { data, errors } = (response.body as { singleResult: { data?: any; errors?: any[] } }).singleResult;
    return JSON.parse(JSON.stringify({ data, errors })) as { data?: any; errors?: { message: string; extensions: Record<string, unknown> }[] };
  }

  async function neighbours(variables: Record<string, unknown>) {
    const { data, errors } = await execute(SIMILAR, { id: ids[0], k: 6, ...variables });
    assert.equal(errors, undefined, JSON.stringify(errors));
    return data.similarProducts.neighbours as { rank: number; distance: number; product: { id: string; category: string | null } }[];
  }

  async function refusal(variables: Record<string, unknown>) {
    const { data, errors } = await execute(SIMILAR, { id: ids[0], k: 6, ...variables });
    assert.equal(data?.similarProducts ?? null, null);
    return errors![0]!;
  }

  before(async () => {
    services = await createTestServices(kind);
    server = testGraphQLServer();
    const store = new Store(services.database.db);
    vectors = hardVectors(seededRandom(5), 2048, 24);
    const categories = ['Shoes', 'Bags', null, 'Hats'];
    const products = await store.products.insertMany(vectors.map((v, i) => ({ ...newProduct(`p${i}`, v), category: categories[i % 4]! })));
    ids = products.map((p) => String(p.id));
  });
  after(() => services?.close());

  test('categories match as stored, ignoring case and spacing; products without a category are left out', async () => {
    const found = await neighbours({ filter: { categories: [' shoes', 'HATS '] }, k: 20 });
    assert.equal(found.length, 11, 'every Shoes and Hats product but the query itself');
    assert.ok(found.every((n) => n.product.category === 'Shoes' || n.product.category === 'Hats'));
  });

  test('excludeCategories keeps products without a category; excludeIds leaves those out and ignores unknown ones', async () => {
    const found = await neighbours({ filter: { excludeCategories: ['bags', 'shoes', 'hats'], excludeIds: [ids[2], '999999'] }, k: 20 });
    assert.deepEqual(found.map((n) => n.product.id).sort(), ids.filter((_, i) => i % 4 === 2 && i !== 2).sort());
  });

  test('maxDistance keeps a neighbour exactly at the bound and may return fewer than k', async () => {
    const all = await neighbours({});
    const bound = all[2]!.distance;
    const found = await neighbours({ maxDistance: bound });
    assert.deepEqual(found, all.filter((n) => n.distance <= bound));
    assert.ok(found.length >= 3 && found.length < 6);
    assert.deepEqual(await neighbours({ maxDistance: 0 }), all.filter((n) => n.distance === 0));
  });

  test('hostile filters are BAD_USER_INPUT naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ filter: { excludeIds: ['abc'] } }, 'excludeIds'],
      [{ filter: { excludeIds: ['-1'] } }, 'excludeIds'],
      [{ filter: { excludeIds: Array.from({ length: 1001 }, (_, i) => String(i + 1)) } }, 'excludeIds'],
      [{ filter: { categories: Array.from({ length: 101 }, (_, i) => `c${i}`) } }, 'categories'],
      [{ filter: { excludeCategories: ['x'.repeat(129)] } }, 'excludeCategories'],
      [{ filter: { categories: ['a\u0000b'] } }, 'category'],
      [{ maxDistance: -1 }, 'maxDistance'],
    ];
    for (const [variables, field] of cases) {
      const error = await refusal(variables);
      assert.equal(error.extensions.code, 'BAD_USER_INPUT', error.message);
      assert.equal(error.extensions.field, field, error.message);
    }
  });

  test('a filter of 20,000 ids is refused by its price before any work', async () => {
    const error = await refusal({ filter: { excludeIds: Array.from({ length: 20_000 }, (_, i) => String(i + 1)) } });
    assert.equal(error.extensions.code, 'QUERY_TOO_COMPLEX');
  });

  describe('recommend', () => {
    /** mean(p) + (mean(p) - mean(n)), written out here, then pgvector's plain ORDER BY with the examples left out. */
    async function reference(positive: number[], negative: number[], k: number, maxDistance?: number, categoryKeys?: string[]) {
      const mean = (picks: number[]) => Array.from({ length: 2048 }, (_, d) => picks.reduce((sum, i) => sum + vectors[i]![d]!, 0) / picks.length);
      const p = mean(positive);
      const query = negative.length === 0 ? Float32Array.from(p) : Float32Array.from(p, (x, d) => 2 * x - mean(negative)[d]!);
      const examples = [...positive, ...negative].map((i) => Number(ids[i]));
      const { rows } = await sql<{ id: number; distance: number }>`
        select id, features <-> ${toVector(query)}::vector as distance from products
        where id <> all(${examples}::integer[]) and (${maxDistance ?? null}::float8 is null or features <-> ${toVector(query)}::vector <= ${maxDistance ?? null}::float8)
          and (${categoryKeys ?? null}::text[] is null or category_key = any(${categoryKeys ?? null}::text[]))
        order by distance, id limit ${k}`.execute(services.database.db);
      return rows.map((row) => ({ distance: row.distance, product: { id: String(row.id) } }));
    }

    async function recommend(positive: number[], negative: number[], k: number, maxDistance?: number, categories?: string[]) {
      const examples = { positive: positive.map((i) => ids[i]), negative: negative.map((i) => ids[i]) };
      const { data, errors } = await execute(RECOMMEND, { ...examples, k, maxDistance, filter: categories && { categories } });
      assert.equal(errors, undefined, JSON.stringify(errors));
      return data.recommend.neighbours;
    }

    test('answers as pgvector with the documented query vector, the examples left out, under a filter and a bound, ties and duplicates included', async () => {
      for (const [positive, negative] of [[[0], []], [[1, 2, 3], []], [[0, 5, 9, 13, 17], [2, 6]], [[4, 4, 8], [8]]] as [number[], number[]][]) {
        for (const k of [1, 6, 30]) {
          assert.deepEqual(await recommend(positive, negative, k), await reference(positive, negative, k), `${positive} / ${negative}, k ${k}`);
        }
      }
      const bound = (await reference([1, 2], [3], 6))[2]!.distance;
      assert.deepEqual(await recommend([1, 2], [3], 6, bound), await reference([1, 2], [3], 6, bound));
      assert.deepEqual(await recommend([0, 5, 9], [2], 6, undefined, ['BAGS', 'hats']), await reference([0, 5, 9], [2], 6, undefined, ['bags', 'hats']));
    });

    test('hostile examples: none, too many, unknown or malformed ids', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ positive: [] }, 'BAD_USER_INPUT'],
        [{ positive: Array.from({ length: 33 }, () => ids[0]) }, 'BAD_USER_INPUT'],
        [{ positive: [ids[0]], negative: Array.from({ length: 33 }, () => ids[1]) }, 'BAD_USER_INPUT'],
        [{ positive: [ids[0], '999999'] }, 'NOT_FOUND'],
        [{ positive: ['abc'] }, 'NOT_FOUND'],
        [{ positive: Array.from({ length: 20_000 }, () => ids[0]) }, 'QUERY_TOO_COMPLEX'],
      ];
      for (const [variables, code] of cases) {
        const { errors } = await execute(RECOMMEND, { k: 6, ...variables });
        assert.equal(errors?.[0]?.extensions.code, code, errors?.[0]?.message);
      }
    });
  });

  // Last, as it adds a product to the catalog the tests above count.
  test('similarToImage under a filter and a bound answers as pgvector does for the features of the same photo', async () => {
    const image = (await readPhoto('chelsea.png')).toString('base64');
    const added = await execute(ADD, { input: { sku: 'photo', name: 'photo', category: 'Hats', image } });
    assert.equal(added.errors, undefined, JSON.stringify(added.errors));
    const photoId = Number(added.data.addProduct.product.id);

    async function reference(k: number, categoryKeys: string[], excludedIds: number[], maxDistance?: number) {
      const { rows } = await sql<{ id: number; distance: number }>`
        with photo as (select features from products where id = ${photoId})
        select id, products.features <-> photo.features as distance from products, photo
        where category_key = any(${categoryKeys}::text[]) and id <> all(${excludedIds}::integer[])
          and (${maxDistance ?? null}::float8 is null or products.features <-> photo.features <= ${maxDistance ?? null}::float8)
        order by distance, id limit ${k}`.execute(services.database.db);
      return rows.map((row) => ({ distance: row.distance, product: { id: String(row.id) } }));
    }
    async function toImage(k: number, filter: Record<string, unknown>, maxDistance?: number) {
      const { data, errors } = await execute(TO_IMAGE, { image, k, filter, maxDistance });
      assert.equal(errors, undefined, JSON.stringify(errors));
      return data.similarToImage.neighbours;
    }

    const near = await reference(20, ['hats', 'shoes'], []);
    assert.equal(near[0]!.product.id, String(photoId), 'the photo is its own nearest product');
    assert.deepEqual(await toImage(20, { categories: ['HATS', ' shoes'] }), near);
    const bound = near[3]!.distance;
    assert.deepEqual(await toImage(20, { categories: ['hats', 'Shoes'], excludeIds: [String(photoId)] }, bound), await reference(20, ['hats', 'shoes'], [photoId], bound));
  });
});
