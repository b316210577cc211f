import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/ml/backend.js';
import { CategoricalHead } from '../../../src/ml/head/categorical-head.js';
import { resolveHeadHyperparameters } from '../../../src/ml/head/head-hyperparameters.js';
import { buildLayersHead } from '../../../harness/layers-head.js';
import {
  headTensors,
  headTensorSpecs,
  headWeightBytes,
  initialHead,
  parseSerializedHead,
} from '../../../src/ml/head/serialized-head.js';
import { trainHead } from '../../../src/ml/head/train-head.js';
import { gaussianClusters } from '../../../harness/gaussian-clusters.js';

before(async () => {
  await selectBackend('wasm');
});

test("the method's head: 2048 -> 1024 -> 512 (dense_mid) -> classes, laid out as Keras lays out its weights", () => {
  const { hiddenUnits, midUnits, dropout } = resolveHeadHyperparameters();
  assert.deepEqual({ hiddenUnits, midUnits, dropout }, { hiddenUnits: 1024, midUnits: 512, dropout: 0.7 });
  const units = { inputs: 2048, hidden: hiddenUnits, mid: midUnits, classes: 10 };
  const model = buildLayersHead(units, dropout);
  try {
    const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
    assert.deepEqual(
      dense.map((layer) => [layer.name, layer.outputShape]),
      [
        ['dense', [null, 1024]],
        ['dense_mid', [null, 512]],
        ['dense_out', [null, 10]],
      ],
    );
    assert.deepEqual(
      model.getWeights().map((weight) => weight.shape),
      headTensorSpecs(units).map((spec) => spec.shape),
    );
  } finally {
    model.dispose();
  }
});

test('embeds to the Keras model’s dense_mid output and predicts its most probable class', () => {
  const units = { inputs: 2048, hidden: 1024, mid: 512, classes: 10 };
  const serialized = initialHead(units, 3);
  // Biases away from zero, so that a bias in the wrong place shows.
  for (const { name, values } of headTensors(serialized)) {
    if (name.endsWith('bias')) values.forEach((_, i) => (values[i] = 0.01 * (i % 7)));
  }
  const head = CategoricalHead.fromSerialized(serialized);
  const model = buildLayersHead(units, 0.7);
  const x = gaussianClusters(10, 2048, 4, 1).sample([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2).x;
  try {
    model.setWeights(headTensors(serialized).map(({ shape, values }) => tf.tensor(values, shape)));
    const { embeddings, predicted } = head.embed(x);
    assert.deepEqual([embeddings.rows, embeddings.cols], [10, 512]);
    const outputs = tf.tidy(() => {
      const input = tf.tensor2d(x.data, [x.rows, x.cols]);
      const midModel = tf.model({ inputs: model.inputs, outputs: model.getLayer('dense_mid').output as tf.SymbolicTensor });
      return [midModel.predict(input) as tf.Tensor, (model.predict(input) as tf.Tensor).argMax(1)];
    });
    const [mid, probabilities] = outputs.map((output) => output.dataSync());
    tf.dispose(outputs);
    const largest = Math.max(...mid!.map(Math.abs));
    embeddings.data.forEach((value, i) => assert.ok(Math.abs(value - mid![i]!) <= 1e-5 * largest, `value ${i}`));
    assert.deepEqual(Array.from(predicted), Array.from(probabilities!));
  } finally {
    head.dispose();
    model.dispose();
  }
});

test('serialized to bytes and rebuilt, a trained head gives the same embeddings, whatever the chunk size or pace', async () => {
  const classes = 3;
  const task = gaussianClusters(classes, 32, 4, 5);
  const train = task.sample([20, 20, 20], 6);
  const { head: trained } = await trainHead(
    { train, validation: task.sample([5, 5, 5], 7), classes },
    { hyperparameters: { hiddenUnits: 16, midUnits: 8, epochs: 2, batchSize: 8 } },
  );
  const original = CategoricalHead.fromSerialized(trained);
  // As a database hands them back: layout through JSON, weights as bytes at an odd offset.
  const bytes = headWeightBytes(original.serialize());
  const stored = new Uint8Array(bytes.length + 1).subarray(1);
  stored.set(bytes);
  const rebuilt = CategoricalHead.fromSerialized({ layout: JSON.parse(JSON.stringify(trained.layout)), weights: stored });
  try {
    const expected = original.embed(train.x);
    assert.deepEqual(rebuilt.embed(train.x), expected);
    assert.deepEqual(rebuilt.embed(train.x, 7), expected);
    assert.deepEqual(await rebuilt.embedInTurns(train.x, 7), expected);
    assert.deepEqual(rebuilt.embed([]).embeddings, { rows: 0, cols: 8, data: new Float32Array(0) });
    assert.ok(expected.embeddings.data.some((value) => value !== 0));
  } finally {
    original.dispose();
    rebuilt.dispose();
  }
});

test('a stored head whose weights do not fit its layout is refused', () => {
  const head = initialHead({ inputs: 4, hidden: 3, mid: 2, classes: 2 }, 1);
  assert.throws(() => parseSerializedHead({ layout: head.layout, weights: head.weights.subarray(1) }), /layout needs/);
  assert.throws(() => parseSerializedHead({ layout: { format: 'other' }, weights: head.weights }), TypeError);
});
