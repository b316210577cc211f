import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../src/ml/backend.js';
import { CategoricalHead } from '../../../src/ml/head/categorical-head.js';
import { fitLayersHead } from '../../../harness/layers-head.js';
import { initialHead } from '../../../src/ml/head/serialized-head.js';
import { StandardScaler } from '../../../src/ml/head/standard-scaler.js';
import { trainHead, type EpochMetrics, type HeadTrainingInput } from '../../../src/ml/head/train-head.js';
import { gaussianClusters } from '../../../harness/gaussian-clusters.js';

before(async () => {
  await selectBackend('wasm');
});

/**
 * Unbalanced Gaussian clusters, one per class, sampled with the given seeds
 * and standardized as the method does.
 */
function standardizedClusters(dimensions: number, separation: number, perClass: number[]): HeadTrainingInput {
  const clusters = gaussianClusters(perClass.length, dimensions, separation, 1);
  const train = clusters.sample(perClass, 2);
  const validation = clusters.sample(perClass.map((count) => Math.ceil(count / 4)), 3);
  const scaler = StandardScaler.fit(train.x);
  return {
    train: { x: scaler.transform(train.x), labels: train.labels },
    validation: { x: scaler.transform(validation.x), labels: validation.labels },
    classes: perClass.length,
  };
}

/** Four unbalanced Gaussian clusters in 2048-d: far fewer samples than dimensions. */
function clusterTask(dimensions: number): HeadTrainingInput {
  return standardizedClusters(dimensions, 8, [100, 50, 25, 100]);
}

const task = clusterTask(2048);
// Small layers keep the suite fast; the method's 0.7 dropout and balanced class weights stay on.
const learning = { hiddenUnits: 128, midUnits: 64, learningRate: 0.001, epochs: 8, batchSize: 32 };

test('learns Gaussian clusters in 2048-d to a validation accuracy far above chance', async () => {
  const tensors = tf.memory().numTensors;
  const epochs: EpochMetrics[] = [];
  const onEpoch = (metrics: EpochMetrics) => void epochs.push(metrics);
  const { history, head } = await trainHead(task, { hyperparameters: learning, onEpoch });
  assert.deepEqual(epochs, history);
  assert.deepEqual(
    history.map((metrics) => metrics.epoch),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  const first = history[0]!;
  const last = history.at(-1)!;
  assert.ok(last.valAccuracy >= 0.8, `validation accuracy ${last.valAccuracy} (chance 0.25)`);
  assert.ok(last.valLoss < first.valLoss && last.loss < first.loss);
  assert.deepEqual(head.layout.units, { inputs: 2048, hidden: 128, mid: 64, classes: 4 });
  assert.equal(tf.memory().numTensors, tensors, 'tensors left behind');
});

test('follows plain model.fit exactly when nothing random differs (no dropout, no shuffling)', async () => {
  const small = clusterTask(64);
  const hyperparameters = { hiddenUnits: 32, midUnits: 16, dropout: 0, shuffle: false, epochs: 5, batchSize: 32 };
  const start = initialHead({ inputs: 64, hidden: 32, mid: 16, classes: 4 }, 9);
  const fast = await trainHead(small, { hyperparameters, initialHead: start });
  const reference = await fitLayersHead(small, { hyperparameters, initialHead: start });
  for (const [i, metrics] of fast.history.entries()) {
    const expected = reference.history[i]!;
    for (const key of ['loss', 'valLoss'] as const) {
      const message = `epoch ${i + 1} ${key}: ${metrics[key]} vs ${expected[key]}`;
      assert.ok(Math.abs(metrics[key] - expected[key]) <= 1e-4 * expected[key], message);
    }
    // Keras counts accuracy in float32.
    assert.ok(Math.abs(metrics.accuracy - expected.accuracy) < 1e-6);
    assert.ok(Math.abs(metrics.valAccuracy - expected.valAccuracy) < 1e-6);
  }
  const largest = Math.max(...reference.head.weights.map(Math.abs));
  fast.head.weights.forEach((value, i) => assert.ok(Math.abs(value - reference.head.weights[i]!) <= 1e-4 * largest));
});

test('learns like plain model.fit from the same start, with dropout and shuffling', async () => {
  const start = initialHead({ inputs: 2048, hidden: 128, mid: 64, classes: 4 }, 11);
  const fast = await trainHead(task, { hyperparameters: learning, initialHead: start });
  const reference = await fitLayersHead(task, { hyperparameters: learning, initialHead: start });
  for (const { history } of [fast, reference]) assert.ok(history.at(-1)!.valAccuracy >= 0.8);
  // Batch order and dropout masks differ, so the curves agree only as closely as two seeds of either would;
  // both runs are seeded, so the comparison is the same on every run.
  fast.history.forEach((metrics, i) => {
    const expected = reference.history[i]!.valLoss;
    assert.ok(Math.abs(metrics.valLoss - expected) <= 0.15 * expected, `epoch ${i + 1}: ${metrics.valLoss} vs ${expected}`);
  });
});

test('the same seed gives the same head', async () => {
  const small = clusterTask(64);
  const hyperparameters = { hiddenUnits: 16, midUnits: 8, epochs: 2, seed: 3 };
  const [a, b] = [await trainHead(small, { hyperparameters }), await trainHead(small, { hyperparameters })];
  assert.deepEqual(a.head.weights, b.head.weights);
  const other = await trainHead(small, { hyperparameters: { ...hyperparameters, seed: 4 } });
  assert.notDeepEqual(other.head.weights, a.head.weights);
});

test('an abort stops training between batches and frees its tensors', async () => {
  const tensors = tf.memory().numTensors;
  const controller = new AbortController();
  const epochs: EpochMetrics[] = [];
  setImmediate(() => controller.abort());
  await assert.rejects(
    trainHead(task, { hyperparameters: learning, signal: controller.signal, onEpoch: (m) => void epochs.push(m) }),
    { name: 'AbortError' },
  );
  assert.equal(epochs.length, 0);
  assert.equal(tf.memory().numTensors, tensors);
});

test('an abort from onEpoch stops after that epoch', async () => {
  const controller = new AbortController();
  const epochs: number[] = [];
  const onEpoch = ({ epoch }: EpochMetrics) => {
    epochs.push(epoch);
    if (epoch === 2) controller.abort(new Error('cancelled by the user'));
  };
  const hyperparameters = { hiddenUnits: 8, midUnits: 4 };
  await assert.rejects(trainHead(clusterTask(64), { hyperparameters, signal: controller.signal, onEpoch }), {
    message: 'cancelled by the user',
  });
  assert.deepEqual(epochs, [1, 2]);
});

test('labels outside the classes are refused before any work', async () => {
  const small = clusterTask(64);
  const labels = Int32Array.from(small.train.labels);
  labels[3] = 4;
  await assert.rejects(trainHead({ ...small, train: { ...small.train, labels } }), /training label 4 \(row 3\)/);
});

/** Few samples, no dropout, a fast learning rate: the validation loss bottoms out at epoch 3 of 12 and rises after. */
function overfittingTask(): HeadTrainingInput {
  return standardizedClusters(256, 4, [16, 12, 8, 16]);
}

const overfitting = { hiddenUnits: 64, midUnits: 32, learningRate: 0.01, epochs: 12, batchSize: 16, dropout: 0 };
const withoutSeconds = (history: EpochMetrics[]) => history.map(({ seconds: _seconds, ...metrics }) => metrics);
/** The first epoch with the lowest validation loss, as Keras's EarlyStopping picks it. */
const bestEpoch = (history: EpochMetrics[]) => history.reduce((best, m) => (m.valLoss < best.valLoss ? m : best)).epoch;

test('by default every epoch is trained and the last one kept, even when an earlier one validated better', async () => {
  const small = overfittingTask();
  const { history, head, keptEpoch, stoppedEarly } = await trainHead(small, { hyperparameters: overfitting });
  assert.equal(history.length, 12);
  assert.equal(stoppedEarly, false);
  assert.equal(keptEpoch, 12);
  assert.ok(bestEpoch(history) < 12, 'the fixture overfits');
  const model = CategoricalHead.fromSerialized(head);
  try {
    assert.equal(model.evaluate(small.validation.x, small.validation.labels).loss, history.at(-1)!.valLoss);
  } finally {
    model.dispose();
  }
});

test('earlyStoppingPatience stops once that many epochs in a row have not lowered the validation loss', async () => {
  const full = await trainHead(overfittingTask(), { hyperparameters: overfitting });
  const best = bestEpoch(full.history);
  for (const patience of [1, 3]) {
    const stopped = await trainHead(overfittingTask(), { hyperparameters: { ...overfitting, earlyStoppingPatience: patience } });
    assert.equal(stopped.history.length, best + patience, `patience ${patience}`);
    assert.equal(stopped.stoppedEarly, true);
    assert.equal(stopped.keptEpoch, best + patience, 'without restoreBestWeights the last epoch trained is kept');
    // The epochs it did train are the full run's, bit for bit.
    assert.deepEqual(withoutSeconds(stopped.history), withoutSeconds(full.history.slice(0, best + patience)));
  }
  const patient = await trainHead(overfittingTask(), { hyperparameters: { ...overfitting, earlyStoppingPatience: 12 } });
  assert.equal(patient.history.length, 12);
  assert.equal(patient.stoppedEarly, false);
});

test('restoreBestWeights ends on the weights of the epoch with the lowest validation loss', async () => {
  const small = overfittingTask();
  const restored = await trainHead(small, { hyperparameters: { ...overfitting, restoreBestWeights: true } });
  const best = bestEpoch(restored.history);
  assert.ok(best < 12, 'the fixture overfits');
  assert.equal(restored.history.length, 12);
  assert.equal(restored.keptEpoch, best);
  assert.equal(restored.stoppedEarly, false);
  // A run that ends at that epoch, with the same seed, holds the same weights.
  const shorter = await trainHead(overfittingTask(), { hyperparameters: { ...overfitting, epochs: best } });
  assert.deepEqual(restored.head.weights, shorter.head.weights);
  const model = CategoricalHead.fromSerialized(restored.head);
  try {
    const validated = model.evaluate(small.validation.x, small.validation.labels);
    assert.equal(validated.loss, restored.history[best - 1]!.valLoss);
    assert.equal(validated.accuracy, restored.history[best - 1]!.valAccuracy);
  } finally {
    model.dispose();
  }
});

test('with both, training stops after the patience and keeps the best epoch', async () => {
  const result = await trainHead(overfittingTask(), {
    hyperparameters: { ...overfitting, earlyStoppingPatience: 2, restoreBestWeights: true },
  });
  const best = bestEpoch(result.history);
  assert.equal(result.history.length, best + 2);
  assert.equal(result.keptEpoch, best);
  assert.equal(result.stoppedEarly, true);
});

test('a patience below 1 is refused before any work', async () => {
  for (const earlyStoppingPatience of [0, -1, 1.5]) {
    await assert.rejects(trainHead(overfittingTask(), { hyperparameters: { ...overfitting, earlyStoppingPatience } }), /earlyStoppingPatience/);
  }
});
