import * as tf from '@tensorflow/tfjs';
import { balancedClassWeights } from '../src/ml/head/class-weights.js';
import { resolveHeadHyperparameters } from '../src/ml/head/head-hyperparameters.js';
import { toMatrix } from '../src/ml/head/matrix.js';
import { seededRandom } from '../src/util/seeded-random.js';
import { headTensors, headWeightCount, initialHead, type HeadUnits, type SerializedHead } from '../src/ml/head/serialized-head.js';
import type { EpochMetrics, HeadTrainingInput, HeadTrainingOptions, HeadTrainingResult } from '../src/ml/head/train-head.js';

/** The head as the method builds it in Keras, with tfjs-layers. */
export function buildLayersHead(units: HeadUnits, dropout: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [units.inputs], units: units.hidden, activation: 'relu', name: 'dense' }),
      tf.layers.dropout({ rate: dropout }),
      tf.layers.dense({ units: units.mid, activation: 'relu', name: 'dense_mid' }),
      tf.layers.dropout({ rate: dropout }),
      tf.layers.dense({ units: units.classes, activation: 'softmax', name: 'dense_out' }),
    ],
  });
}

/**
 * The reference implementation: plain `model.fit`, as the method trains the
 * head. It is what trainHead is measured and checked against, not a path the
 * service takes (its gradients are slow on wasm). Its batch order and
 * dropout come from tfjs-layers, so only the initial weights are shared with
 * trainHead for a given seed; the seed still makes the reference's run
 * reproducible.
 */
export async function fitLayersHead(
  input: HeadTrainingInput,
  options: Pick<HeadTrainingOptions, 'hyperparameters' | 'initialHead' | 'onEpoch'> = {},
): Promise<HeadTrainingResult> {
  const hyperparameters = resolveHeadHyperparameters(options.hyperparameters);
  if (hyperparameters.earlyStoppingPatience !== null || hyperparameters.restoreBestWeights) {
    throw new RangeError('the reference trains every epoch and keeps the last: no early stopping, no restored weights');
  }
  const { classes } = input;
  const train = toMatrix(input.train.x);
  const validation = toMatrix(input.validation.x);
  const units = { inputs: train.cols, hidden: hyperparameters.hiddenUnits, mid: hyperparameters.midUnits, classes };
  const start = options.initialHead ?? initialHead(units, hyperparameters.seed);
  const model = buildLayersHead(units, hyperparameters.dropout);
  const { beta1, beta2, epsilon, learningRate } = hyperparameters;
  // Passed in, so the model does not own it: disposed below.
  const optimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
  model.compile({
    optimizer,
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const oneHot = (labels: ArrayLike<number>) => tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), classes);
  const tensors = tf.tidy(() => ({
    weights: headTensors(start).map(({ shape, values }) => tf.tensor(values, shape)),
    x: tf.tensor2d(train.data, [train.rows, train.cols]),
    y: oneHot(input.train.labels),
    validationX: tf.tensor2d(validation.data, [validation.rows, validation.cols]),
    validationY: oneHot(input.validation.labels),
  }));
  const history: EpochMetrics[] = [];
  let began = 0;
  // tfjs-layers takes no seed for fit: its batch order (util.shuffle) and the
  // seeds of its dropout masks come from Math.random, so that is what is seeded.
  const unseeded = Math.random;
  Math.random = seededRandom(hyperparameters.seed);
  try {
    model.setWeights(tensors.weights);
    await model.fit(tensors.x, tensors.y, {
      epochs: hyperparameters.epochs,
      batchSize: hyperparameters.batchSize,
      shuffle: hyperparameters.shuffle,
      classWeight:
        hyperparameters.classWeight === 'BALANCED' ? { ...balancedClassWeights(input.train.labels, classes) } : undefined,
      validationData: [tensors.validationX, tensors.validationY],
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => {
          began = performance.now();
        },
        onEpochEnd: async (epoch, logs = {}) => {
          const metrics: EpochMetrics = {
            epoch: epoch + 1,
            loss: logs.loss!,
            accuracy: logs.acc!,
            valLoss: logs.val_loss!,
            valAccuracy: logs.val_acc!,
            seconds: (performance.now() - began) / 1000,
          };
          history.push(metrics);
          await options.onEpoch?.(metrics);
        },
      },
    });
    const weights = new Float32Array(headWeightCount(units));
    let offset = 0;
    for (const weight of model.getWeights()) {
      weights.set(weight.dataSync(), offset);
      offset += weight.size;
    }
    const head = { layout: start.layout, weights } satisfies SerializedHead;
    return { head, history, hyperparameters, keptEpoch: history.length, stoppedEarly: false };
  } finally {
    Math.random = unseeded;
    model.dispose();
    optimizer.dispose();
    tf.dispose([...tensors.weights, tensors.x, tensors.y, tensors.validationX, tensors.validationY]);
  }
}
