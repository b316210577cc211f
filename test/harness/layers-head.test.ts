import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fitLayersHead } from '../../harness/layers-head.js';
import { gaussianClusters } from '../../harness/gaussian-clusters.js';
import { selectBackend } from '../../src/ml/backend.js';
import { initialHead } from '../../src/ml/head/serialized-head.js';

before(async () => {
  await selectBackend('wasm');
});

const clusters = gaussianClusters(3, 32, 6, 1);
const input = {
  train: clusters.sample([40, 20, 30], 2),
  validation: clusters.sample([10, 5, 8], 3),
  classes: 3,
};
const start = initialHead({ inputs: 32, hidden: 16, mid: 8, classes: 3 }, 5);
const hyperparameters = { hiddenUnits: 16, midUnits: 8, dropout: 0.5, shuffle: true, epochs: 3, batchSize: 8 };
const fit = (seed: number) => fitLayersHead(input, { hyperparameters: { ...hyperparameters, seed }, initialHead: start });

test('the reference fit, with dropout and shuffling, is the same for the same seed and differs for another', async () => {
  const [a, b, other] = [await fit(7), await fit(7), await fit(8)];
  assert.deepEqual(a.head.weights, b.head.weights);
  assert.notDeepEqual(other.head.weights, a.head.weights);
});

test('the reference fit leaves Math.random as it found it', async () => {
  const random = Math.random;
  await fit(7);
  assert.equal(Math.random, random);
});
