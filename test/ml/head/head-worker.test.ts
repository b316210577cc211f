import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectBackend } from '../../../src/ml/backend.js';
import { CategoricalHead } from '../../../src/ml/head/categorical-head.js';
import { embedInWorker, trainHeadInWorker } from '../../../src/ml/head/head-worker-client.js';
import { trainHead, type EpochMetrics, type HeadTrainingInput } from '../../../src/ml/head/train-head.js';
import { gaussianClusters } from '../../../harness/gaussian-clusters.js';

const task = gaussianClusters(3, 48, 6, 1);
const hyperparameters = { hiddenUnits: 16, midUnits: 8, epochs: 3, batchSize: 16 };

function input() {
  return { train: task.sample([30, 20, 10], 2), validation: task.sample([6, 4, 2], 3), classes: 3 } satisfies HeadTrainingInput;
}

before(async () => {
  // The same backend as the workers', so that their results can be compared bit for bit.
  await selectBackend('wasm');
});

test('trains in a worker: one progress message per epoch, the same head as in this thread', async () => {
  const epochs: EpochMetrics[] = [];
  const data = input();
  const result = await trainHeadInWorker(data, {
    // In a worker 'auto' never tries the native backend: wasm here.
    backend: 'auto',
    hyperparameters,
    onEpoch: async (metrics) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      epochs.push(metrics);
    },
  });
  assert.equal(result.backend, 'wasm');
  assert.deepEqual(
    epochs.map(({ epoch }) => epoch),
    [1, 2, 3],
  );
  assert.deepEqual(epochs, result.history);
  // The features moved to the worker rather than being copied.
  assert.equal(data.train.x.data.byteLength, 0);
  const here = await trainHead(input(), { hyperparameters });
  assert.deepEqual(result.head, here.head);
  assert.deepEqual(
    result.history.map(({ loss, valLoss }) => [loss, valLoss]),
    here.history.map(({ loss, valLoss }) => [loss, valLoss]),
  );
});

test('embeds in a worker as in this thread', async () => {
  const { head } = await trainHead(input(), { hyperparameters });
  const rows = task.sample([40, 40, 40], 4).x;
  const local = CategoricalHead.fromSerialized(head);
  try {
    const expected = local.embed(rows);
    assert.deepEqual(await embedInWorker(head, rows, { backend: 'wasm', chunkRows: 50 }), expected);
  } finally {
    local.dispose();
  }
});

test('an error in the worker rejects', async () => {
  const data = input();
  data.validation.labels = Int32Array.from(data.validation.labels, (label) => label + 1);
  await assert.rejects(trainHeadInWorker(data, { backend: 'wasm', hyperparameters }), /head worker failed: validation label 3/);
});

test('a failing onEpoch stops the worker and rejects', async () => {
  const onEpoch = () => Promise.reject(new Error('progress could not be stored'));
  await assert.rejects(trainHeadInWorker(input(), { backend: 'wasm', hyperparameters, onEpoch }), {
    message: 'progress could not be stored',
  });
});

test('an abort terminates the worker and rejects with the reason', async () => {
  const controller = new AbortController();
  const epochs: number[] = [];
  const training = trainHeadInWorker(input(), {
    backend: 'wasm',
    // The most epochs a caller may ask for, far more than the test waits for: only the abort ends it after one.
    hyperparameters: { ...hyperparameters, epochs: 1000 },
    signal: controller.signal,
    onEpoch: ({ epoch }) => {
      epochs.push(epoch);
      controller.abort();
    },
  });
  await assert.rejects(training, { name: 'AbortError' });
  assert.deepEqual(epochs, [1]);
});

test('early stopping and the kept epoch cross the worker boundary', async () => {
  const overfitting = { ...hyperparameters, learningRate: 0.05, dropout: 0, epochs: 20, earlyStoppingPatience: 2, restoreBestWeights: true };
  const inWorker = await trainHeadInWorker(input(), { backend: 'wasm', hyperparameters: overfitting });
  const here = await trainHead(input(), { hyperparameters: overfitting });
  assert.equal(inWorker.stoppedEarly, true);
  assert.ok(inWorker.keptEpoch < inWorker.history.length);
  assert.deepEqual(
    { head: inWorker.head, keptEpoch: inWorker.keptEpoch, stoppedEarly: inWorker.stoppedEarly },
    { head: here.head, keptEpoch: here.keptEpoch, stoppedEarly: here.stoppedEarly },
  );
});
