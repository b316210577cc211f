import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import { Store } from '../../src/db/store.js';
import { writeAccessPlugin } from '../../src/graphql/write-access.plugin.js';
import { createGraphQLServer } from '../../src/graphql/server.js';
import type { Services } from '../../src/services.js';
import { DATABASE_KINDS } from '../support/database.js';
import { staffContext } from '../support/graphql-server.js';
import { createTestServices } from '../support/services.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

const config = loadConfig({});
const server = createGraphQLServer({
  plugins: [writeAccessPlugin()],
  logUnexpected: () => {},
  limits: { ...config.query, maxImages: config.maxImagesPerRequest },
  catalogMaxAgeSeconds: config.cache.catalogMaxAgeSeconds,
});

let services: Services;
let older: number;
let newer: number;

async function graphql(query: string, variables: Record<string, unknown> = {}, mayWrite = true): Promise<any> {
  const response = await server.executeOperation({ query, variables }, { contextValue: { ...staffContext(services), mayWrite } });
  assert.equal(response.body.kind, 'single');
  return response.body.kind === 'single' ? JSON.parse(JSON.stringify(response.body.singleResult)) : undefined;
}

/** pgvector's exact answer in one version's space: the six nearest, ties by id, the product itself excluded. */
async function exactNeighbours(versionId: number, productId: number): Promise<number[]> {
  const { rows } = await sql<{ product_id: number }>`
    select product_id from embeddings
    where model_version_id = ${versionId} and product_id <> ${productId}
    order by embedding <-> (select embedding from embeddings where model_version_id = ${versionId} and product_id = ${productId}), product_id
    limit 6`.execute(services.database.db);
  return rows.map((row) => row.product_id);
}

async function answeredBy(productId: number): Promise<{ modelVersion: string; ids: number[]; service: string }> {
  const { data } = await graphql(
    'query ($id: ID!) { service { modelVersion } similarProducts(id: $id) { space modelVersion neighbours { product { id } } } }',
    { id: String(productId) },
  );
  assert.equal(data.similarProducts.space, 'TRAINED_HEAD');
  return {
    modelVersion: data.similarProducts.modelVersion,
    service: data.service.modelVersion,
    ids: data.similarProducts.neighbours.map((n: { product: { id: string } }) => Number(n.product.id)),
  };
}

for (const kind of DATABASE_KINDS) describe(`model versions over GraphQL, on ${kind}`, () => {
  let probe: number;

  before(async () => {
    services = await createTestServices(kind);
    const random = seededRandom(5);
    const store = new Store(services.database.db);
    const products = await store.products.insertMany(
      Array.from({ length: 24 }, (_, i) => ({
        sku: `p${i}`,
        name: `p${i}`,
        category: i % 2 === 0 ? 'cats' : 'drinks',
        thumbnail: new Uint8Array(1),
        imageWidth: 1,
        imageHeight: 1,
        features: randomVector(random, 2048),
      })),
    );
    probe = products[0]!.id;
    for (const seed of [1, 2]) {
      await services.training.startTraining({ epochs: 2, seed });
      await services.training.idle();
    }
    [newer, older] = (await services.training.listModelVersions(2)).map((v) => v.id) as [number, number];
  });
  after(() => services?.close());

  test('modelVersions lists the kept versions newest first, with their run, classes, metrics and embedded products', async () => {
    const { data, errors } = await graphql(
      '{ modelVersions { id active createdAt trainingRun { id status } classes metrics { keptEpoch valAccuracy } embeddedProducts } }',
    );
    assert.equal(errors, undefined);
    const [first, second] = data.modelVersions;
    assert.deepEqual([first.id, second.id], [String(newer), String(older)]);
    assert.deepEqual([first.active, second.active], [true, false]);
    assert.deepEqual(first.classes, ['cats', 'drinks']);
    assert.equal(first.trainingRun.status, 'SUCCEEDED');
    assert.equal(first.metrics.keptEpoch, 2);
    assert.equal(first.embeddedProducts, 24);
    assert.equal((await graphql('{ modelVersions(first: 1) { id } }')).data.modelVersions.length, 1);
    assert.equal((await graphql('{ modelVersions(first: 0) { id } }')).errors[0].extensions.code, 'BAD_USER_INPUT');
  });

  test('roll back, then forward: queries follow, each answer from the active version and equal to pgvector in its space', async () => {
    const activate = 'mutation ($id: ID!) { activateModelVersion(id: $id) { modelVersion { id active embeddedProducts } } }';
    assert.deepEqual(await answeredBy(probe), { modelVersion: String(newer), service: String(newer), ids: await exactNeighbours(newer, probe) });

    // A product added while the newer version is active has no embedding in the older one until the rollback gives it one.
    const random = seededRandom(9);
    const [late] = await new Store(services.database.db).products.insertMany([
      { sku: 'late', name: 'late', category: 'cats', thumbnail: new Uint8Array(1), imageWidth: 1, imageHeight: 1, features: randomVector(random, 2048) },
    ]);
    const back = await graphql(activate, { id: String(older) });
    assert.equal(back.errors, undefined, JSON.stringify(back.errors));
    assert.deepEqual(back.data.activateModelVersion.modelVersion, { id: String(older), active: true, embeddedProducts: 25 });
    assert.deepEqual(await answeredBy(probe), { modelVersion: String(older), service: String(older), ids: await exactNeighbours(older, probe) });
    assert.deepEqual((await answeredBy(late!.id)).ids, await exactNeighbours(older, late!.id));

    const forward = await graphql(activate, { id: String(newer) });
    assert.equal(forward.data.activateModelVersion.modelVersion.active, true);
    assert.deepEqual(await answeredBy(probe), { modelVersion: String(newer), service: String(newer), ids: await exactNeighbours(newer, probe) });
    assert.notDeepEqual(await exactNeighbours(older, probe), await exactNeighbours(newer, probe), 'the two spaces differ, so the check can tell them apart');
    const listed = (await graphql('{ modelVersions { id active } }')).data.modelVersions;
    assert.deepEqual(listed, [{ id: String(newer), active: true }, { id: String(older), active: false }]);
  });

  test('switching versions while queries run: every answer is one version\'s exact answer, never a mix', async () => {
    const activate = 'mutation ($id: ID!) { activateModelVersion(id: $id) { modelVersion { id } } }';
    const exact = new Map([older, newer].map((version) => [String(version), exactNeighbours(version, probe)]));
    const answers: { modelVersion: string; ids: number[] }[] = [];
    // Each switch with queries in flight on both sides of it: back, forward, back, forward.
    for (const version of [older, newer, older, newer]) {
      const round = Array.from({ length: 4 }, () => answeredBy(probe));
      const switched = graphql(activate, { id: String(version) });
      round.push(...Array.from({ length: 4 }, () => answeredBy(probe)));
      assert.equal((await switched).errors, undefined);
      const after = await answeredBy(probe);
      assert.equal(after.modelVersion, String(version), 'a query begun after the switch answers from the version switched to');
      answers.push(...(await Promise.all(round)), after);
    }
    for (const { modelVersion, ids } of answers) assert.deepEqual(ids, await exact.get(modelVersion), `an answer from version ${modelVersion}`);
  });

  test('an id that names no kept version is MODEL_VERSION_NOT_FOUND, and the active version stays', async () => {
    for (const id of ['999999', 'abc', '-1', '9'.repeat(400)]) {
      const { errors } = await graphql('mutation ($id: ID!) { activateModelVersion(id: $id) { modelVersion { id } } }', { id });
      assert.equal(errors[0].extensions.code, 'MODEL_VERSION_NOT_FOUND', id);
    }
    assert.equal((await services.similarity.activeSpace()), newer);
  });

  test('activateModelVersion needs the admin token', async () => {
    const { errors } = await graphql('mutation ($id: ID!) { activateModelVersion(id: $id) { modelVersion { id } } }', { id: String(older) }, false);
    assert.equal(errors[0].extensions.code, 'UNAUTHENTICATED');
    assert.equal((await services.similarity.activeSpace()), newer);
  });
});
