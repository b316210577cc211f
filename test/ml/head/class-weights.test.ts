import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balancedClassWeights } from '../../../src/ml/head/class-weights.js';

test('balanced weights are n / (classes * count): every class weighs the same in total', () => {
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
  const weights = balancedClassWeights(labels, 3);
  assert.deepEqual(Array.from(weights), [12 / (3 * 6), 12 / (3 * 2), 12 / (3 * 4)]);
  const totals = [0, 0, 0];
  for (const label of labels) totals[label]! += weights[label]!;
  for (const total of totals) assert.ok(Math.abs(total - 4) < 1e-12);
});

test('equal counts give weight 1', () => {
  assert.deepEqual(Array.from(balancedClassWeights(Int32Array.of(1, 0, 1, 0), 2)), [1, 1]);
});

test('a class with no training sample is an error', () => {
  assert.throws(() => balancedClassWeights([0, 2, 2], 3), /class 1 has no training samples/);
});
