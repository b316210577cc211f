import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApolloServer } from '@apollo/server';
import { sql } from 'kysely';
import { Store } from '../../src/db/store.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { encodeCursor } from '../../src/graphql/ids.js';
import type { Services } from '../../src/services.js';
import { DATABASE_KINDS } from '../support/database.js';
import { staffContext, testGraphQLServer } from '../support/graphql-server.js';
import { createTestServices } from '../support/services.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { activate, createVersion, hardVectors, newProduct } from '../../harness/catalog-fixtures.js';

const NEAR_DUPLICATES = `query ($maxDistance: Float!, $first: Int!, $after: String) {
  nearDuplicates(maxDistance: $maxDistance, first: $first, after: $after) {
    space modelVersion
    edges { cursor node { a { id sku } b { id sku } distance } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** How far a page scanned: apart, as each field of the connection is priced once per pair a page may hold. */
const SCAN = `query ($maxDistance: Float!, $first: Int!, $after: String) {
  nearDuplicates(maxDistance: $maxDistance, first: $first, after: $after) {
    edges { node { a { id } b { id } } }
    pageInfo { hasNextPage endCursor }
    scannedProducts scannedThrough stoppedBy
  }
}`;

interface Pair {
  a: string;
  b: string;
  distance: number;
}

/** 110 products: above the 100 pairs a product may have, so a bound around everything is refused. */
const CATALOG = 110;

for (const kind of DATABASE_KINDS) describe(`nearDuplicates, through the GraphQL schema, on ${kind}`, () => {
  let services: Services;
  let server: ApolloServer<GraphQLContext>;
  let store: Store;
  let ids: number[];

  async function execute(variables: Record<string, unknown>, query = NEAR_DUPLICATES) {
    const response = await server.executeOperation({ query, variables }, { contextValue: staffContext(services) });
    assert.equal(response.body.kind, 'single');
    const { data, errors } = (response.body as { singleResult: { data?: any; errors?: any[] } }).singleResult;
    return JSON.parse(JSON.stringify({ data, errors })) as { data?: any; errors?: { message: string; extensions: Record<string, unknown> }[] };
  }

  /** Every page, following endCursor until hasNextPage is false. */
  async function allPairs(maxDistance: number, first: number): Promise<{ pairs: Pair[]; space: string }> {
    const pairs: Pair[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const { data, errors } = await execute({ maxDistance, first, after: cursor });
      assert.equal(errors, undefined, JSON.stringify(errors));
      const connection = data.nearDuplicates;
      assert.ok(connection.edges.length <= first);
      pairs.push(...connection.edges.map((edge: any) => ({ a: edge.node.a.id, b: edge.node.b.id, distance: edge.node.distance })));
      if (!connection.pageInfo.hasNextPage) return { pairs, space: connection.space };
      cursor = connection.pageInfo.endCursor;
    }
    assert.fail('the pages never ended');
  }

  /** pgvector's self-join: each pair once, in (a.id, b.id) order. */
  async function reference(maxDistance: number, column: 'features' | 'embedding' = 'features'): Promise<Pair[]> {
    const table = column === 'features' ? sql`(select id, features from products)` : sql`(select product_id as id, embedding as features from embeddings)`;
    const { rows } = await sql<{ a: number; b: number; distance: number }>`
      select a.id as a, b.id as b, a.features <-> b.features as distance from ${table} a join ${table} b on a.id < b.id
      where a.features <-> b.features <= ${maxDistance}::float8 order by a.id, b.id`.execute(services.database.db);
    return rows.map((row) => ({ a: String(row.a), b: String(row.b), distance: row.distance }));
  }

  before(async () => {
    // Time never runs out, so that which pages hold which pairs does not depend on the machine's load.
    services = await createTestServices(kind, { NEAR_DUPLICATES_SCAN_MS: '600000' });
    server = testGraphQLServer();
    store = new Store(services.database.db);
    const products = await store.products.insertMany(hardVectors(seededRandom(14), 2048, CATALOG).map((v, i) => newProduct(`sku${i}`, v)));
    ids = products.map((p) => p.id);
  });
  after(() => services?.close());

  test('the same vector under two skus is a pair at distance 0', async () => {
    const { pairs, space } = await allPairs(0, 50);
    assert.equal(space, 'RESNET50_FEATURES');
    // hardVectors' second kind: one vector stored three times, at indexes 1, 2 and 3.
    assert.deepEqual(pairs.slice(0, 3), [
      { a: String(ids[1]), b: String(ids[2]), distance: 0 },
      { a: String(ids[1]), b: String(ids[3]), distance: 0 },
      { a: String(ids[2]), b: String(ids[3]), distance: 0 },
    ]);
  });

  test('pairs equal the pgvector self-join exactly, across pages of any size, the bound included', async () => {
    // Bounds exactly at the distance of some pair: the nearest distinct pair, and further ones.
    const distances = (await reference(1e6)).map((pair) => pair.distance).filter((d) => d > 0).sort((x, y) => x - y);
    const bounds = [0, distances[0]!, distances[20]!, distances[120]!];
    for (const maxDistance of bounds) {
      const expected = await reference(maxDistance);
      assert.ok(expected.length > 0);
      // Pages of 2 split a triplicate's three pairs; 500 takes each answer in one page.
      for (const first of maxDistance === 0 ? [2, 500] : maxDistance === bounds[3] ? [500] : [7]) {
        // Each bound is some pair's distance: that pair is in the answer.
        assert.ok(maxDistance === 0 || expected.some((pair) => pair.distance === maxDistance));
        assert.deepEqual((await allPairs(maxDistance, first)).pairs, expected, `maxDistance ${maxDistance}, first ${first}`);
      }
    }
  });

  test('hostile arguments are refused with a stable code', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxDistance: -1, first: 5 }, 'BAD_USER_INPUT'],
      [{ maxDistance: Number.NaN, first: 5 }, 'BAD_USER_INPUT'],
      [{ maxDistance: Number.POSITIVE_INFINITY, first: 5 }, 'BAD_USER_INPUT'],
      // Every product is within it of the 109 others: over the 100 a product may have.
      [{ maxDistance: 1e300, first: 5 }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 0 }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: -1 }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 501 }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 50_000 }, 'QUERY_TOO_COMPLEX'],
      [{ maxDistance: 0, first: 5, after: 'abc' }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 5, after: encodeCursor(ids[0]!) }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 5, after: Buffer.from('pair:0:1').toString('base64url') }, 'BAD_USER_INPUT'],
      [{ maxDistance: 0, first: 5, after: Buffer.from('pair:1:99999999999').toString('base64url') }, 'BAD_USER_INPUT'],
    ];
    for (const [variables, code] of cases) {
      const { data, errors } = await execute(variables);
      assert.equal(data?.nearDuplicates ?? null, null, JSON.stringify(variables));
      assert.equal(errors?.[0]?.extensions.code, code, `${JSON.stringify(variables)}: ${errors?.[0]?.message}`);
    }
  });

  // The last two: each switches the active space for the rest of the file.
  test('in a trained head space, the pairs are those of its embeddings', async () => {
    const random = seededRandom(15);
    const embeddings = new Map(ids.map((id) => [id, randomVector(random, 512)]));
    embeddings.set(ids[7]!, embeddings.get(ids[40]!)!);
    const version = await createVersion(store, embeddings);
    await activate(store, version);
    const { data } = await execute({ maxDistance: 0, first: 50 });
    assert.equal(data.nearDuplicates.space, 'TRAINED_HEAD');
    assert.equal(data.nearDuplicates.modelVersion, String(version));
    const expected = await reference(0, 'embedding');
    assert.deepEqual(expected.map((pair) => [pair.a, pair.b]), [[String(ids[7]), String(ids[40])]]);
    assert.deepEqual((await allPairs(0, 50)).pairs, expected);
    const bound = 17;
    assert.deepEqual((await allPairs(bound, 3)).pairs, await reference(bound, 'embedding'));
  });

  test('a page scans past products without pairs: a pair beyond the 200th product is on the first page', async () => {
    const random = seededRandom(16);
    const more = await store.products.insertMany(Array.from({ length: 200 }, (_, i) => newProduct(`more${i}`, randomVector(random, 2048))));
    const all = [...ids, ...more.map((p) => p.id)];
    const embeddings = new Map(all.map((id) => [id, randomVector(random, 512)]));
    embeddings.set(all[230]!, embeddings.get(all[220]!)!);
    await activate(store, await createVersion(store, embeddings));
    const { data, errors } = await execute({ maxDistance: 0, first: 5 }, SCAN);
    assert.equal(errors, undefined, JSON.stringify(errors));
    const first = data.nearDuplicates;
    assert.deepEqual(
      first.edges.map((edge: any) => [edge.node.a.id, edge.node.b.id]),
      [[String(all[220]), String(all[230])]],
    );
    // 310 products: the page stopped at the 240 it may scan, and the rest are the next page's.
    assert.deepEqual([first.stoppedBy, first.scannedProducts, first.scannedThrough, first.pageInfo.hasNextPage], ['PRODUCT_LIMIT', 240, String(all[239]), true]);
    const next = (await execute({ maxDistance: 0, first: 5, after: first.pageInfo.endCursor }, SCAN)).data.nearDuplicates;
    assert.deepEqual([next.edges, next.stoppedBy, next.scannedProducts, next.scannedThrough, next.pageInfo.hasNextPage], [[], 'CATALOG_END', 70, String(all.at(-1)), false]);
  });
});
