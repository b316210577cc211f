import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Database } from '../../src/db/database.js';
import { Store } from '../../src/db/store.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';
import { DATABASE_KINDS, openTestDatabase } from '../support/database.js';
import { l2, randomVector, seededRandom } from '../../harness/vectors.js';

for (const kind of DATABASE_KINDS) {
  describe(`EmbeddingRepository on ${kind}`, () => {
    let database: Database;
    let store: Store;
    let versionId: number;
    const random = seededRandom(11);
    const embeddings = new Map<number, Float32Array>();

    before(async () => {
      database = await openTestDatabase(kind);
      store = new Store(database.db);
      const products = await store.products.insertMany(
        Array.from({ length: 30 }, (_, i) => ({
          sku: `p${i}`,
          name: `p${i}`,
          category: i % 2 ? 'odd' : 'even',
          thumbnail: new Uint8Array(1),
          imageWidth: 1,
          imageHeight: 1,
          features: randomVector(random, 2048),
        })),
      );
      const run = (await store.trainingRuns.create(resolveHyperparameters()))!;
      await store.trainingRuns.fail(run.id, 'only here to own a version');
      const scaler = (n: number) => ({ mean: new Float32Array(n), scale: new Float32Array(n).fill(1) });
      versionId = await store.modelVersions.create({
        trainingRunId: run.id,
        classes: ['even', 'odd'],
        head: { weights: new Uint8Array(4), layout: [] },
        featureScaler: scaler(2048),
        embeddingScaler: scaler(512),
        embeddingNormalization: 'STANDARDIZE',
      });
      for (const p of products.slice(0, 25)) embeddings.set(p.id, randomVector(random, 512));
      await store.embeddings.insertMany(
        versionId,
        [...embeddings].map(([productId, embedding]) => ({ productId, embedding, predictedCategory: productId % 3 ? 'odd' : 'even' })),
      );
    });
    after(() => database.close());

    test('ranks by exact L2 in the version space, self excluded, with predicted categories', async () => {
      const [queryId, query] = [...embeddings][4]!;
      const found = await store.search.nearest(versionId, query, 6, undefined, queryId);
      const expected = [...embeddings]
        .filter(([id]) => id !== queryId)
        .map(([id, e]) => ({ id, distance: l2(query, e) }))
        .sort((a, b) => a.distance - b.distance || a.id - b.id)
        .slice(0, 6);
      assert.deepEqual(found.map((n) => n.product.id), expected.map((e) => e.id));
      found.forEach((n) => assert.equal(n.product.predictedCategory, n.product.id % 3 ? 'odd' : 'even'));
    });

    test('reads one embedding back exactly', async () => {
      const [id, embedding] = [...embeddings][0]!;
      assert.deepEqual(await store.search.vectorOf(versionId, id), embedding);
    });

    test('finds the products not yet embedded under a version', async () => {
      const missing = await store.embeddings.productsWithout(versionId);
      assert.equal(missing.length, 5);
      assert.ok(missing.every((p) => !embeddings.has(p.id) && p.features.length === 2048));
      assert.equal(await store.embeddings.count(versionId), 25);
    });

    test('products show the active version prediction, null before any is active', async () => {
      const [id] = [...embeddings][0]!;
      assert.equal((await store.products.findById(id))!.predictedCategory, null);
      await store.transaction((r) => r.modelVersions.activate(versionId));
      assert.equal((await store.products.findById(id))!.predictedCategory, id % 3 ? 'odd' : 'even');
    });

    test('deleting a product deletes its embeddings', async () => {
      const [id] = [...embeddings][1]!;
      await store.products.delete(id);
      assert.equal(await store.search.vectorOf(versionId, id), undefined);
    });

    test('stores nothing for a product deleted since its features were read, and counts what it stored', async () => {
      const [kept, gone] = (await store.embeddings.productsWithout(versionId)).map((p) => p.id);
      await store.products.delete(gone!);
      const stored = await store.embeddings.insertMany(versionId, [
        { productId: kept!, embedding: randomVector(random, 512), predictedCategory: 'odd' },
        { productId: gone!, embedding: randomVector(random, 512), predictedCategory: 'odd' },
      ]);
      assert.equal(stored, 1);
      assert.ok(await store.search.vectorOf(versionId, kept!));
      assert.equal(await store.search.vectorOf(versionId, gone!), undefined);
    });
  });
}
