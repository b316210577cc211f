import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createFeatureExtractor } from '../../../src/ml/feature-extractor.js';
import { prepareImage } from '../../../src/ml/image.js';
import { FEATURE_LENGTH } from '../../../src/ml/resnet50.js';
import { MODEL_CACHE_DIR, readPhoto } from '../fixtures.js';
import { relativeError } from './relative-error.js';
import { writeSmallKerasModel } from './small-keras-model.js';

const loads = (specifier: string) => import(specifier).then(() => true, () => false);
// Where the native TensorFlow.js backend loads (the GPU path), auto keeps ResNet50 on it.
const nativeLoads = (await loads('@tensorflow/tfjs-node-gpu')) || (await loads('@tensorflow/tfjs-node'));

const MAX_BATCH_SIZE = 4;
const options = { backend: 'wasm', workers: 1, maxBatchSize: MAX_BATCH_SIZE, batchWindowMs: 50 } as const;
let dir: string;
let chelsea: Uint8Array;
let coffee: Uint8Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookalike-feature-engine-'));
  const limits = { maxBytes: 10 * 1024 * 1024 };
  chelsea = (await prepareImage(await readPhoto('chelsea.png'), limits)).pixels;
  coffee = (await prepareImage(await readPhoto('coffee.png'), limits)).pixels;
});
after(() => rm(dir, { recursive: true, force: true }));

test('FEATURE_ENGINE is auto unless set to onnx or tfjs', () => {
  assert.equal(loadConfig({}).featureEngine, 'auto');
  assert.equal(loadConfig({ FEATURE_ENGINE: 'tfjs' }).featureEngine, 'tfjs');
  assert.throws(() => loadConfig({ FEATURE_ENGINE: 'wasm' }), ConfigError);
});

test('auto runs ResNet50 on ONNX Runtime with dynamic batching, and reports it', { skip: nativeLoads }, async () => {
  const extractor = await createFeatureExtractor({ ...options, engine: 'auto', backend: 'auto', cacheDir: MODEL_CACHE_DIR });
  try {
    assert.equal(extractor.engine, 'onnx');
    assert.equal(extractor.backend, 'wasm');
    assert.equal(extractor.workers, 1);

    const before = extractor.stats();
    const calls = 2 * MAX_BATCH_SIZE;
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => extractor.extract([i % 2 === 0 ? chelsea : coffee])));
    const coalesced = extractor.stats();
    assert.equal(coalesced.batches - before.batches, 2);
    assert.equal(coalesced.images - before.images, calls);
    // Each caller gets its own image's features back.
    assert.equal(results[0]![0]!.length, FEATURE_LENGTH);
    assert.ok(relativeError(results[2]![0]!, results[0]![0]!) < 1e-6);
    assert.ok(relativeError(results[1]![0]!, results[0]![0]!) > 0.1);

    await extractor.extract([coffee]);
    assert.equal(extractor.stats().batches - coalesced.batches, 1, 'a lone call goes by itself once the window has passed');
  } finally {
    await extractor.close();
  }
});

test('FEATURE_ENGINE=tfjs keeps ResNet50 on TensorFlow.js and converts nothing', async () => {
  const cacheDir = join(dir, 'tfjs');
  const modelUrl = await writeSmallKerasModel(join(dir, 'model'), { seed: 1 });
  const extractor = await createFeatureExtractor({ ...options, engine: 'tfjs', cacheDir, modelUrl });
  try {
    assert.equal(extractor.engine, 'tfjs');
    assert.equal(extractor.backend, 'wasm');
    assert.equal((await extractor.extract([chelsea]))[0]!.length, FEATURE_LENGTH);
    assert.deepEqual(await readdir(cacheDir).catch(() => []), []);
  } finally {
    await extractor.close();
  }
});

test('auto falls back to TensorFlow.js when ONNX cannot take the model, and says why', async () => {
  const modelUrl = await writeSmallKerasModel(join(dir, 'tanh'), { seed: 1, activation: 'tanh' });
  const lines: string[] = [];
  const extractor = await createFeatureExtractor({ ...options, engine: 'auto', cacheDir: join(dir, 'auto'), modelUrl, log: (line) => lines.push(line) });
  try {
    assert.equal(extractor.engine, 'tfjs');
    assert.equal(extractor.backend, 'wasm');
    assert.equal((await extractor.extract([coffee]))[0]!.length, FEATURE_LENGTH);
    assert.deepEqual(lines.slice(0, 1), ['ResNet50: converting the weights to ONNX into ' + join(dir, 'auto') + ', once']);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^ONNX Runtime did not start, ResNet50 runs on TensorFlow.js: layer activation \(Activation\)/);
  } finally {
    await extractor.close();
  }
});

test('FEATURE_ENGINE=onnx fails with the reason instead of falling back', async () => {
  const modelUrl = await writeSmallKerasModel(join(dir, 'tanh'), { seed: 1, activation: 'tanh' });
  await assert.rejects(
    createFeatureExtractor({ ...options, engine: 'onnx', cacheDir: join(dir, 'onnx'), modelUrl }),
    /layer activation \(Activation\) has settings the ONNX conversion does not support/,
  );
});
