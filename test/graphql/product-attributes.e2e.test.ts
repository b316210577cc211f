import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { writeAccessPlugin } from '../../src/graphql/write-access.plugin.js';
import type { Services } from '../../src/services.js';
import { staffContext } from '../support/graphql-server.js';
import { createTestServices } from '../support/services.js';
import { photoCatalog } from '../../harness/photo-catalog.js';

const PRODUCT = 'id sku attributes';
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { ${PRODUCT} } } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { ${PRODUCT} } } }`;
const LIST = `query ($where: [AttributeCondition!]) { products(first: 50, where: $where) { edges { node { sku } } } }`;
const SIMILAR = `query ($id: ID!, $where: [AttributeCondition!]) { similarProducts(id: $id, k: 10, filter: { where: $where }) { neighbours { product { sku } } } }`;

type Result = { data?: any; errors?: { message: string; extensions: Record<string, unknown> }[] };

describe('product attributes and rules through the GraphQL schema', () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let ids: Record<string, string>;

  async function execute(query: string, variables: Record<string, unknown> = {}): Promise<Result> {
    const config = loadConfig({});
    server ??= createGraphQLServer({ plugins: [writeAccessPlugin()], logUnexpected: () => {}, limits: { ...config.query, maxImages: config.maxImagesPerRequest }, catalogMaxAgeSeconds: config.cache.catalogMaxAgeSeconds });
    const response = await server.executeOperation({ query, variables }, { contextValue: { ...staffContext(services), mayWrite: true } });
    assert.equal(response.body.kind, 'single');
    const { data, errors } = (response.body as { singleResult: Result }).singleResult;
    return JSON.parse(JSON.stringify({ data, errors })) as Result;
  }

  const skus = (result: Result, path: (data: any) => any[]) => {
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return path(result.data).map((item: any) => item.sku ?? item.product.sku).sort();
  };

  before(async () => {
    services = await createTestServices('pglite');
    const photos = await photoCatalog(2, 3);
    const image = (i: number) => Buffer.from(photos[i]!.image as Uint8Array).toString('base64');
    const { data, errors } = await execute(ADD_MANY, {
      inputs: [
        { sku: 'boot', name: 'Boot', image: image(0), attributes: { price: 120, brand: 'Acme', inStock: true, sizes: ['41', '42'], url: 'https://shop.example/boot' } },
        { sku: 'sandal', name: 'Sandal', image: image(1), attributes: { price: 35.5, brand: 'Globex', inStock: false, sizes: ['42'] } },
        { sku: 'cup', name: 'Cup', image: image(2), attributes: { price: '12', brand: 'Acme' } },
        { sku: 'plain', name: 'Plain', image: image(3) },
      ],
    });
    assert.equal(errors, undefined, JSON.stringify(errors));
    ids = Object.fromEntries(data.addProducts.products.map((p: { sku: string; id: string }) => [p.sku, p.id]));
  });
  after(() => services?.close());

  test('attributes are stored and returned as given; a product given none has {}', async () => {
    const { data } = await execute(`{ products(first: 10) { edges { node { sku attributes } } } }`);
    const bySku = Object.fromEntries(data.products.edges.map((e: any) => [e.node.sku, e.node.attributes]));
    assert.deepEqual(bySku.boot, { price: 120, brand: 'Acme', inStock: true, sizes: ['41', '42'], url: 'https://shop.example/boot' });
    assert.deepEqual(bySku.cup, { price: '12', brand: 'Acme' });
    assert.deepEqual(bySku.plain, {});
  });

  test('attributes outside the limits are BAD_USER_INPUT naming the key, and nothing is written', async () => {
    const image = 'iVBORw0KGgo=';
    for (const [attributes, key] of [
      [{ 'bad key': 1 }, undefined],
      [{ nested: { a: 1 } }, 'nested'],
      [{ gone: null }, 'gone'],
      [{ mixed: ['a', 1] }, 'mixed'],
      [{ long: 'x'.repeat(1025) }, 'long'],
      [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])), undefined],
      [{ rtl: 'a\u202Eb' }, 'rtl'],
    ] as const) {
      const { errors } = await execute(ADD_MANY, { inputs: [{ sku: 'refused', name: 'x', image, attributes }] });
      assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(attributes).slice(0, 60));
      if (key) assert.equal(errors?.[0]?.extensions.key, key);
    }
    const { data } = await execute(`{ productBySku(sku: "refused") { id } }`);
    assert.equal(data.productBySku, null);
  });

  test('updateProduct replaces attributes, or patches them (null removes a key), without an image', async () => {
    const replaced = await execute(UPDATE, { id: ids.plain, input: { attributes: { inStock: true, color: 'red' } } });
    assert.deepEqual(replaced.data.updateProduct.product.attributes, { inStock: true, color: 'red' });
    const patched = await execute(UPDATE, { id: ids.plain, input: { attributesPatch: { color: null, price: 9 } } });
    assert.deepEqual(patched.data.updateProduct.product.attributes, { inStock: true, price: 9 });
    const both = await execute(UPDATE, { id: ids.plain, input: { attributes: {}, attributesPatch: {} } });
    assert.equal(both.errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    await execute(UPDATE, { id: ids.plain, input: { attributes: {} } });
  });

  test('products(where) and similarProducts(filter.where) follow the same rules', async () => {
    const cases: [unknown, string[]][] = [
      [[{ key: 'brand', eq: 'Acme' }], ['boot', 'cup']],
      [[{ key: 'price', gte: 30, lte: 120 }], ['boot', 'sandal']],
      [[{ key: 'price', eq: '12' }], ['cup']],
      [[{ key: 'price', eq: 12 }], []],
      [[{ key: 'sizes', eq: '42' }], ['boot', 'sandal']],
      [[{ key: 'sizes', in: ['41', '40'] }, { key: 'inStock', eq: true }], ['boot']],
      [[{ key: 'inStock', exists: false }], ['cup', 'plain']],
    ];
    for (const [where, expected] of cases) {
      assert.deepEqual(skus(await execute(LIST, { where }), (d) => d.products.edges.map((e: any) => e.node)), expected, JSON.stringify(where));
      const neighbours = skus(await execute(SIMILAR, { id: ids.plain, where }), (d) => d.similarProducts.neighbours);
      assert.deepEqual(neighbours, expected.filter((sku) => sku !== 'plain'), `similarProducts ${JSON.stringify(where)}`);
    }
  });

  test('attributeFacets lists the keys by kind from every product, and follows an update at once', async () => {
    const FACETS = `{ attributeFacets { key kind productCount min max distinctValues values { value productCount } } }`;
    const before = await execute(FACETS);
    const byKey = Object.fromEntries(before.data.attributeFacets.map((f: any) => [f.key, f]));
    assert.deepEqual(byKey.inStock, { key: 'inStock', kind: 'BOOLEAN', productCount: 2, min: null, max: null, distinctValues: 0, values: [] });
    assert.deepEqual(byKey.brand.values, [{ value: 'Acme', productCount: 2 }, { value: 'Globex', productCount: 1 }]);
    assert.equal(byKey.price, undefined, 'numbers and a number as a string: mixed, no facet');
    await execute(UPDATE, { id: ids.plain, input: { attributesPatch: { brand: 'Globex' } } });
    const after = await execute(FACETS);
    const brand = after.data.attributeFacets.find((f: any) => f.key === 'brand');
    assert.deepEqual(brand.values, [{ value: 'Acme', productCount: 2 }, { value: 'Globex', productCount: 2 }]);
    await execute(UPDATE, { id: ids.plain, input: { attributes: {} } });
  });

  test('a condition without a test, a bad key or a non-finite bound is BAD_USER_INPUT', async () => {
    for (const where of [[{ key: 'price' }], [{ key: '', eq: 1 }], [{ key: 'price', in: Array.from({ length: 101 }, (_, i) => i) }]]) {
      const { errors } = await execute(LIST, { where });
      assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(where).slice(0, 80));
    }
  });
});
