import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import type { NewModelVersion } from '../../src/domain/model-version.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

for (const kind of DATABASE_KINDS) {
  describe(`ModelVersionRepository on ${kind}`, () => {
    let database: Database;
    let store: Store;
    const random = seededRandom(3);

    async function newVersion(): Promise<NewModelVersion> {
      const run = (await store.trainingRuns.create(resolveHyperparameters()))!;
      await store.trainingRuns.fail(run.id, 'only here to own a version');
      return {
        trainingRunId: run.id,
        classes: ['bags', 'shoes'],
        head: { weights: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), layout: [{ name: 'dense', shape: [2, 1] }] },
        featureScaler: { mean: randomVector(random, 2048), scale: randomVector(random, 2048) },
        embeddingScaler: { mean: randomVector(random, 512), scale: randomVector(random, 512) },
        embeddingNormalization: 'UNIT_LENGTH',
      };
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
    });
    after(() => database.close());

    test('stores a version inactive with its head, scalers and embedding normalization, bit for bit', async () => {
      const version = await newVersion();
      const id = await store.modelVersions.create(version);
      const stored = (await store.modelVersions.findById(id))!;
      assert.equal(stored.active, false);
      assert.deepEqual(stored.classes, version.classes);
      assert.deepEqual(Array.from(stored.head.weights), Array.from(version.head.weights));
      assert.deepEqual(stored.head.layout, version.head.layout);
      assert.deepEqual(stored.featureScaler, version.featureScaler);
      assert.deepEqual(stored.embeddingScaler, version.embeddingScaler);
      assert.equal(stored.embeddingNormalization, 'UNIT_LENGTH');
      assert.equal(await store.modelVersions.activeId(), undefined);
    });

    test('activating a version deactivates the previous one', async () => {
      const first = await store.modelVersions.create(await newVersion());
      const second = await store.modelVersions.create(await newVersion());
      await store.transaction((r) => r.modelVersions.activate(first));
      assert.equal(await store.modelVersions.activeId(), first);
      await store.transaction((r) => r.modelVersions.activate(second));
      assert.equal(await store.modelVersions.activeId(), second);
      assert.equal((await store.modelVersions.findById(first))!.active, false);
      assert.ok((await store.modelVersions.findById(second))!.activatedAt instanceof Date);
    });

    test('pruning keeps the active version and the newest inactive ones of finished runs, embeddings going with the rest', async () => {
      const [product] = await store.products.insertMany([
        { sku: 'pruned', name: 'p', category: null, thumbnail: new Uint8Array(1), imageWidth: 1, imageHeight: 1, features: randomVector(random, 2048) },
      ]);
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(await store.modelVersions.create(await newVersion()));
        await store.embeddings.insertMany(ids.at(-1)!, [{ productId: product!.id, embedding: randomVector(random, 512), predictedCategory: 'bags' }]);
      }
      await store.transaction((r) => r.modelVersions.activate(ids[0]!));
      const version = await newVersion();
      const filling = (await store.trainingRuns.create(resolveHyperparameters()))!;
      const inProgress = await store.modelVersions.create({ ...version, trainingRunId: filling.id });

      const generation = (await store.search.state()).generation;
      const pruned = await store.modelVersions.prune(1);
      assert.equal((await store.search.state()).generation, generation, 'inactive embeddings are not served: their deletion changes no search');
      const survivors = [ids[0]!, ids[3]!, inProgress];
      assert.ok(pruned.includes(ids[1]!) && pruned.includes(ids[2]!));
      assert.ok(!pruned.some((id) => survivors.includes(id)));
      for (const id of survivors) assert.ok(await store.modelVersions.findById(id), `version ${id} kept`);
      assert.equal(await store.embeddings.count(ids[1]!), 0);
      assert.equal(await store.embeddings.count(ids[3]!), 1);
      assert.equal(await store.modelVersions.activeId(), ids[0]);
      await store.trainingRuns.fail(filling.id, 'done with it');
    });

    test('deleting the versions failed runs left deletes their embeddings and never an active version', async () => {
      const [product] = await store.products.insertMany([
        { sku: 'failed-run', name: 'p', category: null, thumbnail: new Uint8Array(1), imageWidth: 1, imageHeight: 1, features: randomVector(random, 2048) },
      ]);
      const left = await newVersion();
      const leftId = await store.modelVersions.create(left);
      await store.embeddings.insertMany(leftId, [{ productId: product!.id, embedding: randomVector(random, 512), predictedCategory: 'bags' }]);
      const active = await store.modelVersions.activeId();
      const activeRun = (await store.modelVersions.findById(active!))!.trainingRunId;
      assert.deepEqual(await store.modelVersions.deleteInactiveOf([left.trainingRunId, activeRun]), [leftId]);
      assert.equal(await store.embeddings.count(leftId), 0);
      assert.equal(await store.modelVersions.activeId(), active);
    });
  });
}
