import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INPUT_LENGTH } from '../../src/ml/image.js';
import { caffePreprocess } from '../../src/ml/preprocess.js';

function closeTo(actual: ArrayLike<number>, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, i) => assert.ok(Math.abs(actual[i]! - value) < 1e-4, `[${i}] ${actual[i]} != ${value}`));
}

test('swaps RGB to BGR and subtracts the ImageNet means without scaling', () => {
  const rgb = new Uint8Array(INPUT_LENGTH);
  rgb.set([10, 20, 30, 255, 0, 128]);
  const out = caffePreprocess([rgb]);
  assert.equal(out.length, INPUT_LENGTH);
  closeTo(out.subarray(0, 6), [30 - 103.939, 20 - 116.779, 10 - 123.68, 128 - 103.939, 0 - 116.779, 255 - 123.68]);
  closeTo(out.subarray(INPUT_LENGTH - 3), [-103.939, -116.779, -123.68]);
});

test('packs a batch back to back in input order', () => {
  const first = new Uint8Array(INPUT_LENGTH).fill(0);
  const second = new Uint8Array(INPUT_LENGTH).fill(200);
  const out = caffePreprocess([first, second]);
  assert.equal(out.length, 2 * INPUT_LENGTH);
  closeTo(out.subarray(INPUT_LENGTH - 3, INPUT_LENGTH + 3), [-103.939, -116.779, -123.68, 200 - 103.939, 200 - 116.779, 200 - 123.68]);
});

test('refuses pixels that are not 224x224 RGB', () => {
  assert.throws(() => caffePreprocess([new Uint8Array(INPUT_LENGTH), new Uint8Array(224 * 224)]), /image 1 has 50176 values/);
});
