import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';
import { createServices, type Services } from '../../src/services.js';
import { photoCatalog } from '../../harness/photo-catalog.js';

const ADD = `mutation ($input: AddProductInput!) { addProduct(input: $input) { product { id sku name category } } }`;
const ADD_MANY = `mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs) { products { id sku category } } }`;
const PAGE = `query ($first: Int!, $after: String, $category: String) {
  products(first: $first, after: $after, category: $category) { edges { node { sku category } } }
}`;

const cursor = (id: string) => Buffer.from(`product:${id}`).toString('base64url');

/** Characters no sku, name or category may hold: NUL, another control, bidirectional controls, lone surrogate halves, noncharacters. */
const HOSTILE: Record<string, string> = {
  'NUL': 'a\u0000b',
  'an escape character': 'a\u001b[31mb',
  'a lone high surrogate': 'a\ud800b',
  'a lone low surrogate': '\udfffab',
  'U+FFFE': 'ab\ufffe',
  'U+FDD0': 'a\ufdd0b',
  'a plane-end noncharacter': 'ab\u{10ffff}',
  'a right-to-left override': 'a\u202egpj.exe',
  'a left-to-right embedding': 'a\u202ab\u202c',
  'a first-strong isolate': 'a\u2068b\u2069',
  'a right-to-left mark': 'a\u200fb',
  'an Arabic letter mark': 'a\u061cb',
};

describe('hostile text in product fields, through the GraphQL schema with the real services', () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let image: string;

  async function execute(query: string, variables: Record<string, unknown> = {}) {
    const response = await server.executeOperation(
      { query, variables },
      { contextValue: staffContext(services) },
    );
    assert.equal(response.body.kind, 'single');
    const { data, errors } = (response.body as { singleResult: { data?: any; errors?: any[] } }).singleResult;
    return JSON.parse(JSON.stringify({ data, errors })) as { data?: any; errors?: { message: string; extensions: Record<string, unknown> }[] };
  }

  before(async () => {
    services = await createServices(loadConfig({ DATA_DIR: 'memory://', FEATURE_WORKERS: '1' }), () => {});
    server = testGraphQLServer();
    image = Buffer.from((await photoCatalog(1))[0]!.image as Buffer).toString('base64');
  });
  after(() => services?.close());

  for (const field of ['sku', 'name', 'category'] as const) {
    for (const [what, text] of Object.entries(HOSTILE)) {
      test(`${what} in the ${field} is BAD_USER_INPUT naming the field, and nothing is stored`, async () => {
        const input = { sku: `ok-${field}`, name: 'ok', category: 'ok', image, [field]: text };
        const { data, errors } = await execute(ADD, { input });
        assert.equal(data, null);
        assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT', errors?.[0]?.message);
        assert.equal(errors?.[0]?.extensions.field, field);
        assert.equal(await services.catalog.countProducts(), 0);
      });
    }
  }

  test('in a batch, the error names the field and the input; none of the batch is stored', async () => {
    const { errors } = await execute(ADD_MANY, {
      inputs: [{ sku: 'good', name: 'good', image }, { sku: 'bad', name: 'bad', category: 'x\u0000', image }],
    });
    assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    assert.deepEqual([errors?.[0]?.extensions.field, errors?.[0]?.extensions.index], ['category', 1]);
    assert.equal(await services.catalog.countProducts(), 0);
  });

  test('a category filter with NUL is BAD_USER_INPUT, not a database error', async () => {
    const { errors } = await execute(PAGE, { first: 5, category: '\u0000' });
    assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    assert.equal(errors?.[0]?.extensions.field, 'category');
  });

  test('text outside the basic plane, in well-formed pairs, is stored as given', async () => {
    const { data, errors } = await execute(ADD, { input: { sku: 'sku-😀', name: 'Tasse ☕ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', image } });
    assert.equal(errors, undefined);
    assert.deepEqual([data.addProduct.product.sku, data.addProduct.product.name], ['sku-😀', 'Tasse ☕ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢']);
  });

  test('spellings of one category differing in case, spacing, composition or invisible characters are stored as the first one', async () => {
    const spellings = ['Running shoes', 'running SHOES', '  Running\u00a0 shoes ', 'running\u200b shoes', 'RUNNING SHOES\ufeff'];
    const { data, errors } = await execute(ADD_MANY, {
      inputs: spellings.map((category, i) => ({ sku: `shoe-${i}`, name: 'shoe', category, image })),
    });
    assert.equal(errors, undefined);
    assert.deepEqual(data.addProducts.products.map((p: any) => p.category), spellings.map(() => 'Running shoes'));
    const later = await execute(ADD, { input: { sku: 'shoe-later', name: 'shoe', category: 'RUNNING  shoes', image } });
    assert.equal(later.data.addProduct.product.category, 'Running shoes');
    const composed = await execute(ADD_MANY, {
      inputs: [
        { sku: 'ecole-1', name: 'e', category: 'e\u0301cole', image },
        { sku: 'ecole-2', name: 'e', category: 'ÉCOLE', image },
      ],
    });
    assert.deepEqual(composed.data.addProducts.products.map((p: any) => p.category), ['école', 'école']);

    const filtered = await execute(PAGE, { first: 50, category: ' running\u200b SHOES ' });
    assert.equal(filtered.data.products.edges.length, spellings.length + 1);
  });

  test('spellings of a sku differing in composition, invisible characters or spacing are one product, added, looked up and skipped alike', async () => {
    const added = await execute(ADD, { input: { sku: 'caf\u00e9 1', name: 'cup', image } });
    assert.equal(added.errors, undefined, JSON.stringify(added.errors));
    assert.equal(added.data.addProduct.product.sku, 'caf\u00e9 1');
    for (const spelling of ['cafe\u0301 1', 'caf\u200b\u00e9 1', ' caf\u00e9\u00a0 1\ufeff']) {
      const again = await execute(ADD, { input: { sku: spelling, name: 'cup', image } });
      assert.equal(again.errors?.[0]?.extensions.code, 'DUPLICATE_SKU', JSON.stringify(spelling));
      const found = await execute(`query ($sku: String!) { productBySku(sku: $sku) { id } }`, { sku: spelling });
      assert.equal(found.data.productBySku?.id, added.data.addProduct.product.id, JSON.stringify(spelling));
    }
    const batch = await execute(ADD_MANY, { inputs: [{ sku: 'cafe\u0301 2', name: 'cup', image }, { sku: 'caf\u00e9 2', name: 'cup', image }] });
    assert.equal(batch.errors?.[0]?.extensions.code, 'DUPLICATE_SKU');
    const skipped = await execute(`mutation ($inputs: [AddProductInput!]!) { addProducts(inputs: $inputs, onExisting: SKIP) { products { id } } }`, {
      inputs: [{ sku: 'cafe\u0301 1', name: 'cup', image }],
    });
    assert.deepEqual(skipped.data.addProducts.products, [{ id: added.data.addProduct.product.id }]);
  });

  test('a sku lookup with a bidirectional control is BAD_USER_INPUT naming the sku', async () => {
    const { errors } = await execute(`query ($sku: String!) { productBySku(sku: $sku) { id } }`, { sku: 'a\u202eb' });
    assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT');
    assert.equal(errors?.[0]?.extensions.field, 'sku');
  });

  test('two batches adding spellings of a new category at once store one spelling', async () => {
    const [first, second] = await Promise.all(
      ['Tote bags', 'TOTE BAGS'].map((category, batch) =>
        execute(ADD_MANY, { inputs: [0, 1].map((i) => ({ sku: `tote-${batch}-${i}`, name: 'tote', category, image })) }),
      ),
    );
    const stored = [...first!.data.addProducts.products, ...second!.data.addProducts.products].map((p: any) => p.category);
    assert.equal(new Set(stored).size, 1, stored.join(', '));
  });

  test('cursors for ids beyond 32 bits are BAD_USER_INPUT', async () => {
    for (const id of [String(2 ** 31), String(2 ** 40)]) {
      const { errors } = await execute(PAGE, { first: 5, after: cursor(id) });
      assert.equal(errors?.[0]?.extensions.code, 'BAD_USER_INPUT', id);
    }
  });

  test('ids beyond 32 bits name nothing: null for lookups, NOT_FOUND for actions', async () => {
    const lookups = await execute(`{ product(id: "99999999999") { id } trainingRun(id: "99999999999") { id } }`);
    assert.deepEqual(lookups, { data: { product: null, trainingRun: null } });
    const similar = await execute(`{ similarProducts(id: "2147483648") { space } }`);
    assert.equal(similar.errors?.[0]?.extensions.code, 'NOT_FOUND');
    const deleted = await execute(`mutation { deleteProduct(id: "2147483648") { id } }`);
    assert.equal(deleted.errors?.[0]?.extensions.code, 'NOT_FOUND');
  });
});
