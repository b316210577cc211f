import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.js';
import { Store } from '../../src/db/store.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { createServices, type Services } from '../../src/services.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';
import { seededRandom } from '../support/vectors.js';
import { hardVectors, newProduct } from '../search/fixtures.js';

const SIMILAR = `query ($id: ID!, $k: Int!, $filter: SimilarityFilter, $maxDistance: Float) {
  similarProducts(id: $id, k: $k, filter: $filter, maxDistance: $maxDistance) { neighbours { rank distance product { id category } } }
}`;

describe('similarProducts with a filter and maxDistance, through the GraphQL schema', () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let ids: string[];

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
    services = await createServices(loadConfig({ DATA_DIR: 'memory://', FEATURE_WORKERS: '1' }), () => {});
    server = testGraphQLServer();
    const store = new Store(services.database.db);
    const vectors = hardVectors(seededRandom(5), 2048, 24);
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
});
