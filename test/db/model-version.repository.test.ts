import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { resolveHyperparameters } from '../../src/training/hyperparameters.js';
import type { NewModelVersion } from '../../src/training/model-version.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { randomVector, seededRandom } from '../support/vectors.js';

for (const kind of DATABASE_KINDS) {
  describe(`ModelVersionRepository on ${kind}`, () => {
    let database: Database;
    let store: Store;
    const random = seededRandom(3);

    async function newVersion(): Promise<NewModelVersion> {
      const run = await store.trainingRuns.create(resolveHyperparameters());
      await store.trainingRuns.fail(run.id, 'only here to own a version');
      return {
        trainingRunId: run.id,
        classes: ['bags', 'shoes'],
        head: { weights: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), layout: [{ name: 'dense', shape: [2, 1] }] },
        featureScaler: { mean: randomVector(random, 2048), scale: randomVector(random, 2048) },
        embeddingScaler: { mean: randomVector(random, 512), scale: randomVector(random, 512) },
      };
    }

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
    });
    after(() => database.close());

    test('stores a version inactive with its head and scalers, bit for bit', async () => {
      const version = await newVersion();
      const id = await store.modelVersions.create(version);
      const stored = (await store.modelVersions.findById(id))!;
      assert.equal(stored.active, false);
      assert.deepEqual(stored.classes, version.classes);
      assert.deepEqual(Array.from(stored.head.weights), Array.from(version.head.weights));
      assert.deepEqual(stored.head.layout, version.head.layout);
      assert.deepEqual(stored.featureScaler, version.featureScaler);
      assert.deepEqual(stored.embeddingScaler, version.embeddingScaler);
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
  });
}
