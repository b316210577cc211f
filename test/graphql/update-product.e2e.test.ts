import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import { writeAccessPlugin } from '../../src/graphql/write-access.plugin.js';
import type { Services } from '../../src/services.js';
import { DATABASE_KINDS } from '../support/database.js';
import { staffContext } from '../support/graphql-server.js';
import { createTestServices } from '../support/services.js';
import { photoCatalog } from '../../harness/photo-catalog.js';

const PRODUCT = 'id sku name category thumbnail imageWidth';
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!, $onExisting: ExistingSku) {
  addProducts(inputs: $inputs, onExisting: $onExisting) { products { ${PRODUCT} } }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { ${PRODUCT} } } }`;
const BY_SKU = `query ($sku: String!) { productBySku(sku: $sku) { ${PRODUCT} } }`;
const NEAREST_CATEGORY = `query ($id: ID!, $filter: SimilarityFilter) {
  similarProducts(id: $id, k: 1, filter: $filter) { neighbours { distance product { sku category } } }
}`;

type Result = { data?: any; errors?: { message: string; extensions: Record<string, unknown> }[] };

for (const kind of DATABASE_KINDS) describe(`updateProduct, productBySku and addProducts(onExisting), through the GraphQL schema with the real ResNet50, on ${kind}`, () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let photos: { cats: string[]; drinks: string[] };

  async function execute(query: string, variables: Record<string, unknown> = {}, mayWrite = true): Promise<Result> {
    const config = loadConfig({});
    server ??= createGraphQLServer({ plugins: [writeAccessPlugin()], logUnexpected: () => {}, limits: { ...config.query, maxImages: config.maxImagesPerRequest }, catalogMaxAgeSeconds: config.cache.catalogMaxAgeSeconds });
    const response = await server.executeOperation({ query, variables }, { contextValue: { ...staffContext(services), mayWrite } });
    assert.equal(response.body.kind, 'single');
    const { data, errors } = (response.body as { singleResult: Result }).singleResult;
    return JSON.parse(JSON.stringify({ data, errors })) as Result;
  }

  async function bySku(sku: string) {
    const { data, errors } = await execute(BY_SKU, { sku });
    assert.equal(errors, undefined, JSON.stringify(errors));
    return data.productBySku;
  }

  before(async () => {
    services = await createTestServices(kind);
    const catalog = await photoCatalog(3, 7);
    const base64 = (image: unknown) => Buffer.from(image as Buffer).toString('base64');
    photos = { cats: catalog.slice(0, 3).map((p) => base64(p.image)), drinks: catalog.slice(3).map((p) => base64(p.image)) };
    const inputs = [
      { sku: 'cat-1', name: 'Cat 1', category: 'Cats', image: photos.cats[0] },
      { sku: 'cat-2', name: 'Cat 2', category: 'Cats', image: photos.cats[1] },
      { sku: 'drink-1', name: 'Drink 1', category: 'Drinks', image: photos.drinks[0] },
      { sku: 'drink-2', name: 'Drink 2', category: 'Drinks', image: photos.drinks[1] },
    ];
    const { errors } = await execute(ADD_MANY, { inputs });
    assert.equal(errors, undefined, JSON.stringify(errors));
  });
  after(() => services?.close());

  test('productBySku finds a product by its stored sku, ignoring surrounding whitespace; an unknown sku is null', async () => {
    assert.equal((await bySku(' cat-1 ')).name, 'Cat 1');
    assert.equal(await bySku('cat-9'), null);
    assert.equal(await bySku('x'.repeat(10_000)), null);
    const { errors } = await execute(BY_SKU, { sku: 'a\u0000b' });
    assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
  });

  test('a new name and category change only those; the category takes the stored spelling, and filtered search sees it', async () => {
    const before = await bySku('cat-2');
    const drinks = { id: (await bySku('drink-1')).id, filter: { categories: ['DRINKS'], excludeIds: [(await bySku('drink-2')).id] } };
    // Searched before the update too: the search index then learns of it from the change log.
    assert.deepEqual((await execute(NEAREST_CATEGORY, drinks)).data.similarProducts.neighbours, []);
    const { data, errors } = await execute(UPDATE, { id: before.id, input: { name: ' Cat two ', category: 'drinks' } });
    assert.equal(errors, undefined, JSON.stringify(errors));
    assert.deepEqual(data.updateProduct.product, { ...before, name: 'Cat two', category: 'Drinks' });
    const near = await execute(NEAREST_CATEGORY, drinks);
    assert.equal(near.data.similarProducts.neighbours[0].product.sku, 'cat-2');
    const cleared = await execute(UPDATE, { id: before.id, input: { category: null } });
    assert.equal(cleared.data.updateProduct.product.category, null);
  });

  test('a new image replaces the thumbnail and the features the search ranks by', async () => {
    const cat = await bySku('cat-1');
    const { data, errors } = await execute(UPDATE, { id: cat.id, input: { image: photos.drinks[2] } });
    assert.equal(errors, undefined, JSON.stringify(errors));
    assert.notEqual(data.updateProduct.product.thumbnail, cat.thumbnail);
    const near = await execute(NEAREST_CATEGORY, { id: cat.id, filter: { excludeIds: [] } });
    assert.equal(near.data.similarProducts.neighbours[0].product.category, 'Drinks', 'its nearest is now a drink');
    await execute(UPDATE, { id: cat.id, input: { image: photos.cats[0] } });
  });

  test('a bad image changes nothing, not even the name given with it', async () => {
    const before = await bySku('drink-1');
    const { data, errors } = await execute(UPDATE, { id: before.id, input: { name: 'Renamed', image: Buffer.from('not an image').toString('base64') } });
    assert.equal(data, null);
    assert.equal(errors?.[0]?.extensions.code, 'INVALID_IMAGE');
    assert.deepEqual(await bySku('drink-1'), before);
  });

  test('hostile updates: unknown and malformed ids are NOT_FOUND, bad text BAD_USER_INPUT, no token UNAUTHENTICATED', async () => {
    for (const id of ['999999', 'abc', '-1']) {
      const { errors } = await execute(UPDATE, { id, input: { name: 'x' } });
      assert.equal(errors?.[0]?.extensions.code, 'NOT_FOUND', id);
    }
    const id = (await bySku('drink-2')).id;
    for (const input of [{ name: '' }, { name: 'a\u0000b' }, { category: 'x'.repeat(200) }]) {
      const { errors } = await execute(UPDATE, { id, input });
      assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT', JSON.stringify(input).slice(0, 40));
    }
    const refused = await execute(UPDATE, { id, input: { name: 'x' } }, false);
    assert.equal(refused.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
    const upsert = await execute(ADD_MANY, { inputs: [{ sku: 'n', name: 'n', image: photos.cats[2] }], onExisting: 'UPDATE' }, false);
    assert.equal(upsert.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
    assert.equal((await bySku('drink-2')).name, 'Drink 2');
  });

  test('addProducts: FAIL refuses a known sku, SKIP keeps it as stored, UPDATE replaces it keeping its id; one product per input, in order', async () => {
    const stored = await bySku('drink-2');
    const inputs = [
      { sku: 'new-1', name: 'New 1', category: 'Cats', image: photos.cats[2] },
      { sku: 'drink-2', name: 'Drink 2 again', image: photos.cats[2] },
    ];
    const failed = await execute(ADD_MANY, { inputs });
    assert.equal(failed.errors?.[0]?.extensions.code, 'DUPLICATE_SKU');
    assert.equal(await bySku('new-1'), null);

    const skipped = await execute(ADD_MANY, { inputs, onExisting: 'SKIP' });
    assert.equal(skipped.errors, undefined, JSON.stringify(skipped.errors));
    assert.deepEqual(skipped.data.addProducts.products.map((p: { sku: string }) => p.sku), ['new-1', 'drink-2']);
    assert.deepEqual(skipped.data.addProducts.products[1], stored);

    const updated = await execute(ADD_MANY, { inputs: [...inputs].reverse(), onExisting: 'UPDATE' });
    assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
    const [drink, fresh] = updated.data.addProducts.products;
    assert.deepEqual([drink.id, drink.name, drink.category], [stored.id, 'Drink 2 again', null]);
    assert.equal(fresh.id, (await bySku('new-1')).id);

    const repeated = await execute(ADD_MANY, { inputs: [inputs[0], inputs[0]], onExisting: 'SKIP' });
    assert.equal(repeated.errors?.[0]?.extensions.code, 'DUPLICATE_SKU');
  });
});
