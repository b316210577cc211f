import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createFeatureExtractor, type FeatureExtractor } from '../../src/ml/feature-extractor.js';
import { INPUT_LENGTH, prepareImage } from '../../src/ml/image.js';
import { FEATURE_LENGTH, Resnet50 } from '../../src/ml/resnet50.js';
import { resolveResnet50Model } from '../../src/ml/resnet50-weights.js';
import { MODEL_CACHE_DIR, readPhoto } from './fixtures.js';

const MAX_BATCH_SIZE = 4;
let extractor: FeatureExtractor;
let chelsea: Uint8Array;
let coffee: Uint8Array;

before(async () => {
  // wasm explicitly: the pool is what is under test, even where tfjs-node is installed.
  extractor = await createFeatureExtractor({
    backend: 'wasm',
    workers: 2,
    maxBatchSize: MAX_BATCH_SIZE,
    batchWindowMs: 50,
    cacheDir: MODEL_CACHE_DIR,
  });
  const limits = { maxBytes: 10 * 1024 * 1024 };
  chelsea = (await prepareImage(await readPhoto('chelsea.png'), limits)).pixels;
  coffee = (await prepareImage(await readPhoto('coffee.png'), limits)).pixels;
});
after(() => extractor.close());

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
}

test('on wasm the models run in the configured number of worker threads', () => {
  assert.equal(extractor.engine, 'tfjs');
  assert.equal(extractor.backend, 'wasm');
  assert.equal(extractor.workers, 2);
});

test('the worker pool gives the same features as a model in this thread', async () => {
  const before = extractor.stats();
  const pooled = await extractor.extract([chelsea, coffee]);
  // One image to each idle worker, so both workers' results are checked.
  assert.equal(extractor.stats().batches - before.batches, 2);
  const { modelUrl } = await resolveResnet50Model({ cacheDir: MODEL_CACHE_DIR });
  const model = await Resnet50.load(modelUrl);
  try {
    const local = await model.features([chelsea, coffee]);
    assert.equal(pooled.length, 2);
    pooled.forEach((features, i) => {
      assert.equal(features.length, FEATURE_LENGTH);
      assertClose(features, local[i]!);
    });
  } finally {
    model.dispose();
  }
  // The caller's pixels were copied for the worker, not taken from it.
  assert.equal(chelsea.length, INPUT_LENGTH);
});

test('concurrent single-image calls are coalesced into full batches', async () => {
  const before = extractor.stats();
  const calls = 2 * MAX_BATCH_SIZE;
  const results = await Promise.all(
    Array.from({ length: calls }, (_, i) => extractor.extract([i % 2 === 0 ? chelsea : coffee])),
  );
  const after = extractor.stats();
  assert.equal(after.batches - before.batches, 2);
  assert.equal(after.images - before.images, calls);
  // Each caller gets the features of its own image back.
  assertClose(results[2]![0]!, results[0]![0]!);
  assertClose(results[3]![0]!, results[1]![0]!);
  assert.notDeepEqual(results[0]![0], results[1]![0]);
});

test('a lone call goes by itself once the window has passed', async () => {
  const before = extractor.stats();
  const [features] = await extractor.extract([coffee]);
  assert.equal(features!.length, FEATURE_LENGTH);
  assert.equal(extractor.stats().batches - before.batches, 1);
  assert.equal(extractor.stats().images - before.images, 1);
});

test('a call with a malformed image is rejected alone', async () => {
  const [bad, good] = await Promise.allSettled([
    extractor.extract([chelsea, new Uint8Array(224 * 224)]),
    extractor.extract([coffee]),
  ]);
  assert.equal(bad.status, 'rejected');
  assert.match(String(bad.reason), /image 1 is not 150528 bytes/);
  assert.equal(good.status, 'fulfilled');
});

test('close finishes the work already submitted, then refuses calls', async () => {
  const pending = extractor.extract([chelsea]);
  await extractor.close();
  const [features] = await pending;
  assert.equal(features!.length, FEATURE_LENGTH);
  await assert.rejects(extractor.extract([chelsea]), /closed/);
  await extractor.close();
});
