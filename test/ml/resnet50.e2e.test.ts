import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { selectBackend } from '../../src/ml/backend.js';
import { prepareImage } from '../../src/ml/image.js';
import { FEATURE_LENGTH, IMAGENET_CLASSES, Resnet50 } from '../../src/ml/resnet50.js';
import { resolveResnet50Model } from '../../src/ml/resnet50-weights.js';
import { MODEL_CACHE_DIR, readPhoto } from './fixtures.js';

const limits = { maxBytes: 10 * 1024 * 1024 };
let model: Resnet50;
let labels: Record<string, string>;
let chelsea: Uint8Array;
let coffee: Uint8Array;
let grayChelsea: Uint8Array;

before(async () => {
  await selectBackend('auto');
  const location = await resolveResnet50Model({ cacheDir: MODEL_CACHE_DIR });
  labels = JSON.parse(await readFile(location.labelsPath!, 'utf8')) as Record<string, string>;
  model = await Resnet50.load(location.modelUrl);
  const photo = await readPhoto('chelsea.png');
  chelsea = (await prepareImage(photo, limits)).pixels;
  coffee = (await prepareImage(await readPhoto('coffee.png'), limits)).pixels;
  // A one-channel image, as Fashion-MNIST's are.
  grayChelsea = (await prepareImage(await sharp(photo).toColourspace('b-w').png().toBuffer(), limits)).pixels;
});
after(() => model.dispose());

function top1(probabilities: Float32Array): string {
  const best = probabilities.reduce((bestIndex, p, i, all) => (p > all[bestIndex]! ? i : bestIndex), 0);
  return labels[String(best)]!;
}

function assertClose(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
}

test('ImageNet top-1 of the test photos is right, which needs the weights and the caffe preprocessing', async () => {
  const [cat, cup] = await model.classify([chelsea, coffee]);
  assert.equal(cat!.length, IMAGENET_CLASSES);
  assert.ok(['Egyptian_cat', 'tabby', 'tiger_cat'].includes(top1(cat!)), `chelsea.png: ${top1(cat!)}`);
  assert.equal(top1(cup!), 'espresso');
});

test('features are 2048 non-negative floats (after ReLU and average pooling)', async () => {
  const [features] = await model.features([chelsea]);
  assert.equal(features!.length, FEATURE_LENGTH);
  assert.ok(features!.every((value) => Number.isFinite(value) && value >= 0));
  assert.ok(features!.some((value) => value > 0));
});

test('a batch of N gives the same features as N single images', async () => {
  const images = [chelsea, coffee, grayChelsea];
  const batched = await model.features(images);
  for (const [i, image] of images.entries()) {
    const [single] = await model.features([image]);
    assertClose(batched[i]!, single!);
  }
  // Different images, different features: the batch did not repeat one input.
  assert.notDeepEqual(batched[0], batched[1]);
});

test('pixels of the wrong size are refused', async () => {
  await assert.rejects(model.features([new Uint8Array(10)]), /expected 150528/);
});
