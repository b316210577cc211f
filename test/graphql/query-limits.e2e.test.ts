import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery } from 'graphql';
import { loadConfig } from '../../src/config.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { MAX_QUERY_TOKENS } from '../../src/graphql/query-limits.js';
import { SEARCH_WEIGHT } from '../../src/graphql/query-price.js';
import { MAX_SCANNED_PRODUCTS } from '../../src/catalog/near-duplicates.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';
import { createServices, type Services } from '../../src/services.js';
import { readPhoto } from '../../harness/photos.js';

const config = loadConfig({ DATA_DIR: 'memory://', FEATURE_WORKERS: '1' });
const { maxCost, maxDepth, maxAliases } = config.query;
const maxImages = config.maxImagesPerRequest;

/** Refusals come before any work; on a loaded machine this still catches a stall. */
const QUICK_MS = 2_000;

const PRODUCT = 'id sku name category imageWidth imageHeight thumbnail createdAt predictedCategory';
const aliases = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const input = (sku: string, image: string) => ({ sku, name: sku, category: 'cats', image });
const inputs = (count: number, image = 'bm90IGFuIGltYWdl') => Array.from({ length: count }, (_, i) => input(`batch-${i}`, image));

describe('every request is priced before it runs', () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let chelsea: string;

  async function execute(query: string, variables: Record<string, unknown> = {}) {
    const started = performance.now();
    const response = await server.executeOperation(
      { query, variables },
      {
        contextValue: staffContext(services),
      },
    );
    assert.equal(response.body.kind, 'single');
    return { ...response.body.singleResult, status: response.http.status, ms: performance.now() - started };
  }

  async function assertRefused(query: string, variables: Record<string, unknown>, extensions: Record<string, unknown>) {
    const result = await execute(query, variables);
    assert.equal(result.errors?.length, 1, JSON.stringify(result.errors));
    assert.deepEqual(result.errors[0]!.extensions, { code: 'QUERY_TOO_COMPLEX', ...extensions });
    assert.equal(result.status, 400);
    assert.equal('data' in result, false, 'nothing executed');
    assert.ok(result.ms < QUICK_MS, `refused in ${result.ms.toFixed(0)} ms`);
  }

  async function catalogSize(): Promise<number> {
    const { data } = await execute('{ service { catalogSize } }');
    return (data as { service: { catalogSize: number } }).service.catalogSize;
  }

  before(async () => {
    services = await createServices(config, () => {});
    server = testGraphQLServer(config);
    await server.start();
    chelsea = (await readPhoto('chelsea.png')).toString('base64');
  });

  after(async () => {
    await server?.stop();
    await services?.close();
  });

  test("the README's and the storefront's queries run", async () => {
    const added = await execute('mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku category } } }', {
      input: input('cat-1', chelsea),
    });
    assert.equal(added.errors, undefined, JSON.stringify(added.errors));
    const id = (added.data as { addProduct: { product: { id: string } } }).addProduct.product.id;
    const queries: [string, Record<string, unknown>?][] = [
      [`{ similarProducts(id: "${id}", k: 6) { space metric neighbours { rank distance product { id sku category } } } }`],
      ['{ service { backend featureWorkers database catalogSize embeddingSpace } }'],
      [
        `query ($after: String) { products(first: 50, after: $after) { edges { cursor node { ${PRODUCT} } } pageInfo { hasNextPage endCursor } totalCount } }`,
        { after: null },
      ],
      [`query ($id: ID!) { similarProducts(id: $id, k: 6) { space modelVersion metric neighbours { rank distance product { ${PRODUCT} } } } }`, { id }],
      [
        `{ trainingRuns(first: 20) { id status progress hyperparameters { epochs batchSize } epochs { epoch loss accuracy valLoss valAccuracy seconds } metrics { valAccuracy } } }`,
      ],
      // What GraphQL tools send first; 15 fields deep.
      [getIntrospectionQuery()],
    ];
    for (const [query, variables] of queries) {
      const result = await execute(query, variables);
      assert.equal(result.errors, undefined, `${query}: ${JSON.stringify(result.errors)}`);
    }
  });

  test('a batch of as many images as allowed reaches the catalog, which checks each image', async () => {
    const result = await execute('mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }', {
      inputs: inputs(maxImages),
    });
    assert.equal(result.errors?.[0]?.extensions?.code, 'INVALID_IMAGE');
  });

  test('hostile queries are refused with their price and the limit, and store nothing', async () => {
    const before = await catalogSize();
    const thumbnails = 'products(first: 500) { edges { node { thumbnail } } }';
    const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
      ['120 aliases of a page of 500 thumbnails', aliases(120, thumbnails), {}, { limit: 'aliases', price: 119, max: maxAliases }],
      ['30 of them', aliases(30, thumbnails), {}, { limit: 'cost', price: 30 * (1 + 500 * 12), max: maxCost }],
      ['400 of them', aliases(400, thumbnails), {}, { limit: 'tokens', max: MAX_QUERY_TOKENS }],
      ['50,000 aliases of the catalog size', aliases(50_000, 'service { catalogSize }'), {}, { limit: 'tokens', max: MAX_QUERY_TOKENS }],
      [
        '30 aliases of one-pair nearDuplicates pages, each scanning up to 200 products',
        aliases(30, 'nearDuplicates(maxDistance: 0, first: 1) { edges { node { distance } } }'),
        {},
        { limit: 'cost', price: 30 * (1 + MAX_SCANNED_PRODUCTS * SEARCH_WEIGHT + 3), max: maxCost },
      ],
      [
        '500 aliases of similarToImage',
        `query ($image: String!) ${aliases(500, 'similarToImage(image: $image) { neighbours { distance } }')}`,
        { image: chelsea },
        { limit: 'tokens', max: MAX_QUERY_TOKENS },
      ],
      [
        '40 aliases of similarToImage',
        `query ($image: String!) ${aliases(40, 'similarToImage(image: $image) { neighbours { distance } }')}`,
        { image: chelsea },
        { limit: 'aliases', price: 39, max: maxAliases },
      ],
      ['500 copies of one field, no alias', `{ ${Array(500).fill('service { catalogSize }').join(' ')} }`, {}, { limit: 'aliases', price: 499, max: maxAliases }],
      [
        'nesting 20 deep',
        `{ __type(name: "Product") { ${'ofType { '.repeat(18)}name${' }'.repeat(18)} } }`,
        {},
        { limit: 'depth', price: 20, max: maxDepth },
      ],
      [
        'addProducts of 33 inputs in variables',
        'mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }',
        { inputs: inputs(33, chelsea) },
        { limit: 'images', price: 33, max: maxImages },
      ],
      [
        'addProducts of 33 inline inputs',
        `mutation ($image: String!) { addProducts(inputs: [${Array(33).fill('{ sku: "s", name: "n", image: $image }').join(', ')}]) { products { id } } }`,
        { image: chelsea },
        { limit: 'images', price: 33, max: maxImages },
      ],
      [
        '33 aliases of addProduct',
        `mutation ($image: String!) ${aliases(33, 'addProduct(input: { sku: "s", name: "n", image: $image }) { product { id } }')}`,
        { image: chelsea },
        { limit: 'aliases', price: 32, max: maxAliases },
      ],
    ];
    for (const [name, query, variables, extensions] of cases) {
      await test(name, async () => {
        await assertRefused(query, variables, extensions);
      });
    }
    assert.equal(await catalogSize(), before);
  });

  test('a cached document is priced again with each request\'s variables', async () => {
    const batch = 'mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }';
    assert.equal((await execute(batch, { inputs: inputs(1) })).errors?.[0]?.extensions?.code, 'INVALID_IMAGE');
    await assertRefused(batch, { inputs: inputs(maxImages + 1) }, { limit: 'images', price: maxImages + 1, max: maxImages });
  });

  test('the shape is refused before graphql-js validates the document', async () => {
    // Validation would also report the unknown field; it never walks the document.
    const query = `{ ${Array(500).fill('service { catalogSize }').join(' ')} noSuchField }`;
    await assertRefused(query, {}, { limit: 'aliases', price: 499, max: maxAliases });
  });
});
