import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { operationCachePolicy } from '../../src/graphql/cache-policy.js';
import { SCHEMA_PATH } from '../../src/graphql/server.js';

const schema = buildSchema(readFileSync(SCHEMA_PATH, 'utf8'));
const CATALOG_MAX_AGE = 10;

function policyOf(source: string, operationName?: string) {
  const document = parse(source);
  return operationCachePolicy(schema, document, getOperationAST(document, operationName)!, CATALOG_MAX_AGE);
}

test('a catalog read is public for the catalog max-age', () => {
  for (const read of [
    `query ($id: ID!) { similarProducts(id: $id, k: 6) { space modelVersion neighbours { rank distance product { id name thumbnailUrl attributes } } } }`,
    `{ products(first: 20) { totalCount edges { cursor node { id sku category predictedCategory } } pageInfo { hasNextPage endCursor } } }`,
    `{ product(id: 1) { id } productBySku(sku: "a") { id } categories { name productCount } }`,
    `{ recommend(positive: [1]) { neighbours { product { id } } } nearDuplicates(maxDistance: 0) { edges { node { a { id } b { id } distance } } } }`,
    `{ service { catalogSize modelVersion embeddingSpace featureEngine writesNeedToken } }`,
  ]) {
    assert.deepEqual(policyOf(read), { maxAge: CATALOG_MAX_AGE, scope: 'PUBLIC' }, read);
  }
});

test('a read that carries an image is private, wherever the image field is selected', () => {
  assert.deepEqual(policyOf(`{ product(id: 1) { id thumbnail } }`), { maxAge: CATALOG_MAX_AGE, scope: 'PRIVATE' });
  const throughFragment = `query { similarProducts(id: 1) { neighbours { product { ...Card } } } } fragment Card on Product { name thumbnail }`;
  assert.deepEqual(policyOf(throughFragment), { maxAge: CATALOG_MAX_AGE, scope: 'PRIVATE' });
});

test('a read of a token, training, model versions, an uploaded image or counted facets is never kept', () => {
  for (const read of [
    `{ service { catalogSize tokenAccepted } }`,
    `{ trainingRuns { id status } }`,
    `{ trainingRun(id: 1) { id } }`,
    `{ modelVersions { id active } }`,
    `{ similarToImage(imageUrl: "https://shop.example/a.jpg") { neighbours { rank } } }`,
    `{ attributeFacets { key } }`,
    `{ products(first: 1) { totalCount } attributeFacets { key } }`,
  ]) {
    assert.equal(policyOf(read), undefined, read);
  }
});

test('mutations and reads of the schema alone are never kept', () => {
  assert.equal(policyOf(`mutation { deleteProduct(id: 1) { id } }`), undefined);
  assert.equal(policyOf(`{ __typename }`), undefined);
});

test('only the operation that runs counts, not another one in its document', () => {
  const document = `query Cheap { service { catalogSize } } query Token { service { tokenAccepted } }`;
  assert.deepEqual(policyOf(document, 'Cheap'), { maxAge: CATALOG_MAX_AGE, scope: 'PUBLIC' });
  assert.equal(policyOf(document, 'Token'), undefined);
});
