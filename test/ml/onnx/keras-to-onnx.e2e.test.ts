import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { selectBackend } from '../../../src/ml/backend.js';
import { seededRandom } from '../../../src/util/seeded-random.js';
import { INPUT_LENGTH } from '../../../src/ml/image.js';
import { kerasToOnnx } from '../../../src/ml/onnx/keras-to-onnx.js';
import { readLayersModelFiles } from '../../../src/ml/onnx/layers-model-files.js';
import { ensureOnnxResnet50 } from '../../../src/ml/onnx/onnx-model-cache.js';
import { OnnxResnet50 } from '../../../src/ml/onnx/onnx-resnet50.js';
import { Resnet50 } from '../../../src/ml/resnet50.js';
import { relativeError } from './relative-error.js';
import { writeSmallKerasModel } from './small-keras-model.js';

let dir: string;

before(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'lookalike-keras-to-onnx-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function randomImages(count: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Uint8Array.from({ length: INPUT_LENGTH }, () => Math.floor(random() * 256)));
}

test('every layer type of ResNet50 converts, with features equal to TensorFlow.js up to float rounding', async () => {
  const modelUrl = await writeSmallKerasModel(join(dir, 'small'), { seed: 1 });
  const { path } = await ensureOnnxResnet50({ cacheDir: join(dir, 'cache'), modelUrl });
  const [onnx, reference] = await Promise.all([OnnxResnet50.load(path, { threads: 1 }), Resnet50.load(modelUrl)]);
  try {
    const images = randomImages(3, 7);
    const [actual, expected] = await Promise.all([onnx.features(images), reference.features(images)]);
    expected.forEach((features, i) => {
      assert.equal(actual[i]!.length, 2048);
      assert.ok(relativeError(actual[i]!, features) < 1e-5, `image ${i}: relative error ${relativeError(actual[i]!, features)}`);
    });
  } finally {
    reference.dispose();
    await onnx.dispose();
  }
});

test('a layer setting without an exact ONNX equivalent is refused by name', async () => {
  const files = await readLayersModelFiles(await writeSmallKerasModel(join(dir, 'tanh'), { seed: 1, activation: 'tanh' }));
  assert.throws(() => kerasToOnnx(files, { outputLayer: 'avg_pool', metadata: {} }), /layer activation \(Activation\) has settings .* activation/);
});

test('the output must be one vector per image, and must exist', async () => {
  const files = await readLayersModelFiles(await writeSmallKerasModel(join(dir, 'outputs'), { seed: 1 }));
  assert.throws(() => kerasToOnnx(files, { outputLayer: 'activation_2', metadata: {} }), /gives feature maps/);
  assert.throws(() => kerasToOnnx(files, { outputLayer: 'pool5', metadata: {} }), /no layer named pool5/);
});
