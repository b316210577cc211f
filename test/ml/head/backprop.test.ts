import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/ml/backend.js';
import { backprop, type Batch } from '../../../src/ml/head/backprop.js';
import { fillDropoutMask, seededRandom } from '../../../src/util/seeded-random.js';
import { initialHead } from '../../../src/ml/head/serialized-head.js';
import {
  disposeTrainingParameters,
  PARAMETER_NAMES,
  toTrainingParameters,
  type TrainingParameters,
} from '../../../src/ml/head/training-parameters.js';

const units = { inputs: 24, hidden: 16, mid: 8, classes: 3 };
const rows = 7;
let parameters: TrainingParameters;

before(async () => {
  await selectBackend('wasm');
  parameters = toTrainingParameters(initialHead(units, 5));
});
after(() => disposeTrainingParameters(parameters));

/** The same loss written plainly in Keras's layout, for tfjs autodiff to differentiate. */
function referenceLoss(batch: Batch): tf.Scalar {
  const { w1, b1, w2, b2, w3, b3 } = parameters;
  const dense = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x, tf.transpose(w)), tf.reshape(b, [-1]));
  const drop = (x: tf.Tensor, mask: tf.Tensor | undefined) => (mask ? tf.mul(x, tf.transpose(mask)) : x);
  const h1 = drop(tf.relu(dense(batch.x, w1, b1)), batch.masks?.hidden);
  const h2 = drop(tf.relu(dense(h1, w2, b2)), batch.masks?.mid);
  const logits = dense(h2, w3, b3);
  const onehot = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), units.classes);
  const crossEntropy = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1));
  return tf.mean(tf.mul(crossEntropy, tf.tensor1d(batch.sampleWeights)));
}

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(actual, expected)).dataSync()[0]! / tf.norm(expected).dataSync()[0]!);
}

function checkAgainstAutodiff(withMasks: boolean): void {
  const random = seededRandom(9);
  tf.tidy(() => {
    const mask = (n: number) => tf.tensor2d(fillDropoutMask(new Float32Array(n * rows), 0.5, random), [n, rows]);
    const batch: Batch = {
      x: tf.tensor2d(Float32Array.from({ length: rows * units.inputs }, () => random() * 4 - 2), [rows, units.inputs]),
      labels: Int32Array.from({ length: rows }, (_, i) => i % units.classes),
      sampleWeights: Float32Array.from({ length: rows }, (_, i) => 0.5 + (i % units.classes)),
      masks: withMasks ? { hidden: mask(units.hidden), mid: mask(units.mid) } : null,
    };
    const fast = backprop(parameters, batch);
    const reference = tf.variableGrads(() => referenceLoss(batch), Object.values(parameters));
    assert.ok(Math.abs(fast.loss - reference.value.dataSync()[0]!) < 1e-5);
    for (const name of PARAMETER_NAMES) {
      const error = relativeError(fast.gradients[name], reference.grads[parameters[name].name]!);
      assert.ok(error < 1e-4, `${name}: relative error ${error}`);
    }
  });
}

test('the hand-written backward pass matches tfjs autodiff with dropout off', () => {
  checkAgainstAutodiff(false);
});

test('and with the same dropout masks applied in both', () => {
  checkAgainstAutodiff(true);
});

test('the step leaves no tensors behind but its gradients', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const batch: Batch = {
      x: tf.ones([2, units.inputs]),
      labels: Int32Array.of(0, 2),
      sampleWeights: Float32Array.of(1, 1),
      masks: null,
    };
    const { gradients } = backprop(parameters, batch);
    assert.equal(tf.memory().numTensors, before + 1 + PARAMETER_NAMES.length);
    tf.dispose(Object.values(gradients));
  });
  assert.equal(tf.memory().numTensors, before);
});
