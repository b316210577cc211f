import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { selectBackend } from '../../../src/ml/backend.js';
import { prepareImage } from '../../../src/ml/image.js';
import { ensureOnnxResnet50 } from '../../../src/ml/onnx/onnx-model-cache.js';
import { OnnxResnet50 } from '../../../src/ml/onnx/onnx-resnet50.js';
import { FEATURE_LENGTH, Resnet50 } from '../../../src/ml/resnet50.js';
import { resolveResnet50Model } from '../../../src/ml/resnet50-weights.js';
import { MODEL_CACHE_DIR, readPhoto } from '../fixtures.js';
import { relativeError } from './relative-error.js';

test('ResNet50 converted to ONNX gives the TensorFlow.js features of real photos, to a relative error under 1e-4', async () => {
  await selectBackend('wasm');
  const { modelUrl } = await resolveResnet50Model({ cacheDir: MODEL_CACHE_DIR });
  // A fresh conversion, not whatever the service's cache holds.
  const cacheDir = await mkdtemp(join(tmpdir(), 'lookalike-resnet50-onnx-'));
  try {
    const converted = await ensureOnnxResnet50({ cacheDir, modelUrl });
    assert.equal(converted.source, 'converted');
    const limits = { maxBytes: 10 * 1024 * 1024 };
    const photos = await Promise.all(
      (['chelsea.png', 'coffee.png'] as const).map(async (name) => (await prepareImage(await readPhoto(name), limits)).pixels),
    );
    const onnx = await OnnxResnet50.load(converted.path, { threads: 1 });
    const reference = await Resnet50.load(modelUrl);
    try {
      const [actual, expected] = await Promise.all([onnx.features(photos), reference.features(photos)]);
      expected.forEach((features, i) => {
        assert.equal(actual[i]!.length, FEATURE_LENGTH);
        const error = relativeError(actual[i]!, features);
        assert.ok(error < 1e-4, `photo ${i}: relative error ${error}`);
        // Per value too, scaled by the vector's largest: no single feature is off.
        const largest = Math.max(...features);
        const worst = Math.max(...features.map((value, j) => Math.abs(actual[i]![j]! - value)));
        assert.ok(worst / largest < 1e-4, `photo ${i}: largest difference ${worst} of ${largest}`);
      });
    } finally {
      reference.dispose();
      await onnx.dispose();
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});
