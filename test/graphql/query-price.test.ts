import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { loadConfig } from '../../src/config.js';
import { MAX_SCANNED_PRODUCTS } from '../../src/catalog/near-duplicates.js';
import { priceOperation, SEARCH_WEIGHT, THUMBNAIL_WEIGHT } from '../../src/graphql/query-price.js';
import { SCHEMA_PATH } from '../../src/graphql/server.js';
import * as page from '../../src/web/generated/graphql.js';

const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));
const defaults = loadConfig({});

function price(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  return priceOperation(schema, document, getOperationAST(document)!, variables);
}

const PRODUCT = 'id sku name category imageWidth imageHeight thumbnail createdAt predictedCategory';
const input = (i: number) => ({ sku: `sku-${i}`, name: `Product ${i}`, category: 'cats', image: 'iVBORw0KGgo=' });

/** The README's examples and what a storefront asks, with their variables. */
const REAL_QUERIES: Record<string, [string, Record<string, unknown>?]> = {
  'README addProduct': [
    'mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku category } } }',
    { input: input(1) },
  ],
  'README similarProducts': ['{ similarProducts(id: "1", k: 6) { space metric neighbours { rank distance product { id sku category } } } }'],
  'README service': ['{ service { featureEngine tensorflowBackend featureWorkers database catalogSize embeddingSpace } }'],
  'README recommend': ['{ recommend(positive: ["1", "2"], negative: ["3"], k: 6) { neighbours { distance product { sku } } } }'],
  'README nearDuplicates': [
    '{ nearDuplicates(maxDistance: 6, first: 50) { space scannedProducts stoppedBy edges { node { distance a { sku } b { sku } } } pageInfo { hasNextPage endCursor } } }',
  ],
  'a full page of near-duplicate pairs': [
    `{ nearDuplicates(maxDistance: 0, first: 500) { space modelVersion edges { cursor node { a { id sku } b { id sku } distance } } pageInfo { hasNextPage endCursor } } }`,
  ],
  'README trainModel': ['mutation { trainModel(input: { epochs: 32 }) { trainingRun { id status } } }'],
  'README modelVersions': ['{ modelVersions { id active createdAt trainingRun { id } classes metrics { valAccuracy keptEpoch } embeddedProducts } }'],
  'README activateModelVersion': ['mutation { activateModelVersion(id: "2") { modelVersion { id active } } }'],
  'README trainingRun': ['{ trainingRun(id: "1") { status progress epochs { epoch loss valAccuracy } error } }'],
  'a page of 50 products with thumbnails': [
    `query ($after: String) { products(first: 50, after: $after) { edges { cursor node { ${PRODUCT} } } pageInfo { hasNextPage endCursor } totalCount } }`,
    { after: null },
  ],
  'six similar products with thumbnails': [
    `query ($id: ID!) { similarProducts(id: $id, k: 6) { space modelVersion metric neighbours { rank distance product { ${PRODUCT} } } } }`,
    { id: '7' },
  ],
  'similarToImage with thumbnails': [
    `query ($image: String!) { similarToImage(image: $image, k: 6) { space neighbours { rank distance product { ${PRODUCT} } } } }`,
    { image: 'iVBORw0KGgo=' },
  ],
  'addProducts of 32': [
    `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { ${PRODUCT} } } }`,
    { inputs: Array.from({ length: 32 }, (_, i) => input(i)) },
  ],
  'the last 20 training runs with their epochs': [
    `{ trainingRuns(first: 20) { id status progress classes trainingSamples validationSamples error modelVersion createdAt startedAt finishedAt
        hyperparameters { epochs batchSize learningRate dropout hiddenUnits midUnits validationSplit classWeight seed }
        epochs { epoch loss accuracy valLoss valAccuracy seconds }
        metrics { valLoss valAccuracy trainingSeconds embeddingSeconds embeddedProducts } } }`,
  ],
  'the service': ['{ service { backend featureWorkers database catalogSize modelVersion embeddingSpace writesNeedToken tokenAccepted } }'],
  'every category a page may list': ['{ categories(first: 500) { name productCount } }'],
};

describe('the price of real queries', () => {
  for (const [name, [source, variables]] of Object.entries(REAL_QUERIES)) {
    test(`${name} is within the default limits`, () => {
      const priced = price(source, variables)!;
      assert.ok(priced.cost <= defaults.query.maxCost, `costs ${priced.cost}`);
      assert.ok(priced.images <= defaults.maxImagesPerRequest, `carries ${priced.images} images`);
    });
  }
});

test('each field costs 1 and a list multiplies what it selects by its length', () => {
  assert.equal(price('{ service { catalogSize } }')!.cost, 2);
  // products 1 + 50 x (edges 1 + node 1 + id 1)
  assert.equal(price('{ products(first: 50) { edges { node { id } } } }')!.cost, 1 + 50 * 3);
  assert.equal(price('{ products { edges { node { id } } } }')!.cost, 1 + 20 * 3, 'the default page of 20');
  assert.equal(price('{ similarProducts(id: "1", k: 100) { neighbours { rank } } }')!.cost, 1 + SEARCH_WEIGHT + 100 * 2);
  assert.equal(price('{ categories(first: 30) { name productCount } }')!.cost, 1 + 30 * 2);
});

test('each field that searches adds one search per product it may scan, however few rows it returns', () => {
  for (const field of ['similarProducts(id: "1", k: 1)', 'similarToImage(image: "x", k: 1)', 'recommend(positive: [], k: 1)']) {
    assert.equal(price(`{ ${field} { space } }`)!.cost, 1 + SEARCH_WEIGHT + 1, field);
  }
  // nearDuplicates 1 + a search per product a page scans + 1 x (edges 1 + node 1 + distance 1)
  const onePair = 'nearDuplicates(maxDistance: 0, first: 1) { edges { node { distance } } }';
  assert.equal(price(`{ ${onePair} }`)!.cost, 1 + MAX_SCANNED_PRODUCTS * SEARCH_WEIGHT + 3);
  assert.equal(price('{ products(first: 1) { edges { node { id } } } }')!.cost, 1 + 3, 'a page of products reads rows and searches nothing');
  const thirty = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: ${onePair}`).join(' ')} }`;
  assert.ok(price(thirty)!.cost > defaults.query.maxCost);
});

test('a thumbnail weighs more than a plain field', () => {
  assert.equal(price('{ products(first: 50) { edges { node { thumbnail } } } }')!.cost, 1 + 50 * (2 + THUMBNAIL_WEIGHT));
  const twoFullPages = `{ a: products(first: 500) { edges { node { thumbnail } } } b: products(first: 500) { edges { node { thumbnail } } } }`;
  assert.ok(price(twoFullPages)!.cost > defaults.query.maxCost);
});

test('images are counted apart from the cost: one per similarToImage and addProduct, one per addProducts input', () => {
  assert.equal(price('{ a: similarToImage(image: "x") { space } b: similarToImage(image: "y") { space } }')!.images, 2);
  assert.equal(price('mutation { addProduct(input: { sku: "a", name: "a", image: "x" }) { product { id } } }')!.images, 1);
  const inline = Array.from({ length: 33 }, (_, i) => `{ sku: "s${i}", name: "n", image: "x" }`).join(', ');
  assert.equal(price(`mutation { addProducts(inputs: [${inline}]) { products { id } } }`)!.images, 33);
  const withVariables = 'mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }';
  assert.equal(price(withVariables, { inputs: Array.from({ length: 33 }, (_, i) => input(i)) })!.images, 33);
  assert.equal(price('{ service { catalogSize } }')!.images, 0);
});

test('fields a request skips are not priced', () => {
  const source = 'query ($hide: Boolean!) { similarToImage(image: "x") @skip(if: $hide) { space } }';
  assert.equal(price(source, { hide: true })!.images, 0);
  assert.equal(price(source, { hide: false })!.images, 1);
});

describe('hostile variables', () => {
  const page = 'query ($first: Int!) { products(first: $first) { edges { node { thumbnail } } } }';
  const batch = 'mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id } } }';

  test('variables that do not coerce are left unpriced: execution refuses them before any resolver', () => {
    for (const first of [2 ** 40, '500', 1.5, null, { length: 1 }]) assert.equal(price(page, { first }), undefined, String(first));
    assert.equal(price(page, {}), undefined);
    assert.equal(price(batch, { inputs: Array.from({ length: 100_000 }, () => ({ sku: 1 })) }), undefined);
  });

  test('a negative page size prices an empty list; the resolver refuses it', () => {
    assert.equal(price(page, { first: -5 })!.cost, 1);
  });

  test('one input where a list is expected is a list of one', () => {
    assert.equal(price(batch, { inputs: input(1) })!.images, 1);
  });

  test('the largest page size prices over the limit when asked twice', () => {
    const twice = 'query ($n: Int!) { a: products(first: $n) { edges { node { thumbnail } } } b: products(first: $n) { edges { node { thumbnail } } } }';
    assert.ok(price(twice, { n: 2 ** 31 - 1 })!.cost > defaults.query.maxCost);
  });
});

describe("the storefront page's operations, at their largest", () => {
  const image = 'iVBORw0KGgo=';
  const largest: Record<string, [{ toString(): string }, Record<string, unknown>]> = {
    CatalogPage: [page.CatalogPageDocument, { first: 50, after: null, category: null }],
    ProductWithNeighbours: [page.ProductWithNeighboursDocument, { id: '1', k: 100 }],
    SearchByPhoto: [page.SearchByPhotoDocument, { image, k: 100 }],
    TrainingOverview: [page.TrainingOverviewDocument, {}],
    WatchTrainingRun: [page.WatchTrainingRunDocument, { id: '1' }],
    StartTraining: [page.StartTrainingDocument, { input: { epochs: 3 } }],
    AddProduct: [page.AddProductDocument, { input: input(1) }],
    DeleteProduct: [page.DeleteProductDocument, { id: '1' }],
    StaffAccess: [page.StaffAccessDocument, {}],
    CatalogCategories: [page.CatalogCategoriesDocument, {}],
  };
  for (const [name, [document, variables]] of Object.entries(largest)) {
    test(`${name} is within the default limits`, () => {
      const priced = price(document.toString(), variables)!;
      assert.ok(priced.cost <= defaults.query.maxCost, `costs ${priced.cost}`);
      assert.ok(priced.images <= 1, `carries ${priced.images} images`);
    });
  }

  test('a thumbnail address costs as a plain field, not as the thumbnail itself', () => {
    assert.equal(price('{ products(first: 50) { edges { node { thumbnailUrl } } } }')!.cost, 1 + 50 * (2 + 1));
  });
});

test('each entry of a similarity filter costs 1', () => {
  const source = 'query ($filter: SimilarityFilter) { similarProducts(id: "1", k: 6, filter: $filter) { neighbours { rank } } }';
  const base = price(source, {})!.cost;
  assert.equal(price(source, { filter: { categories: ['a', 'b'], excludeCategories: ['c'], excludeIds: ['1', '2', '3'] } })!.cost, base + 6);
  assert.ok(price(source, { filter: { excludeIds: Array.from({ length: 20_000 }, (_, i) => String(i)) } })!.cost > defaults.query.maxCost);
});
test('each attribute condition costs 1, in a similarity filter or on products', () => {
  const similar = 'query ($filter: SimilarityFilter) { similarProducts(id: "1", k: 6, filter: $filter) { neighbours { rank } } }';
  const where = [{ key: 'inStock', eq: true }, { key: 'price', lte: 50 }];
  assert.equal(price(similar, { filter: { where } })!.cost, price(similar, {})!.cost + 2);
  const list = 'query ($where: [AttributeCondition!]) { products(first: 5, where: $where) { totalCount } }';
  assert.equal(price(list, { where })!.cost, price(list, {})!.cost + 2);
});


test('each recommend example costs 1, and updateProduct carries an image only when it gives one', () => {
  const source = 'query ($p: [ID!]!, $n: [ID!]) { recommend(positive: $p, negative: $n, k: 6) { neighbours { rank } } }';
  assert.equal(price(source, { p: ['1', '2'], n: ['3'] })!.cost, price(source, { p: [] })!.cost + 3);
  const update = 'mutation ($input: UpdateProductInput!) { updateProduct(id: "1", input: $input) { product { id } } }';
  assert.equal(price(update, { input: { name: 'x' } })!.images, 0);
  assert.equal(price(update, { input: { image: 'iVBORw0KGgo=' } })!.images, 1);
});
