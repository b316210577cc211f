import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam.js';
import { backprop, type Batch } from './backprop.js';
import { CategoricalHead } from './categorical-head.js';
import { balancedClassWeights } from './class-weights.js';
import { resolveHeadHyperparameters, type HeadHyperparameters } from './head-hyperparameters.js';
import { toMatrix, type Matrix, type RowsInput } from './matrix.js';
import { fillDropoutMask, seededRandom, shuffleInPlace } from '../../util/seeded-random.js';
import { initialHead, type HeadUnits, type SerializedHead } from './serialized-head.js';
import {
  disposeTrainingParameters,
  serializeTrainingParameters,
  toTrainingParameters,
} from './training-parameters.js';

export interface LabelledRows {
  /** Standardized features. */
  x: RowsInput;
  /** Class indices in [0, classes). */
  labels: ArrayLike<number>;
}

export interface HeadTrainingInput {
  train: LabelledRows;
  validation: LabelledRows;
  classes: number;
}

/** One epoch as Keras's History reports it. */
export interface EpochMetrics {
  /** 1-based. */
  epoch: number;
  /** Class-weighted cross-entropy, averaged over the epoch's batches with dropout on. */
  loss: number;
  accuracy: number;
  /** Unweighted, without dropout. */
  valLoss: number;
  valAccuracy: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
}

export interface HeadTrainingOptions {
  hyperparameters?: Partial<HeadHyperparameters>;
  /** Start from these weights instead of the seeded Glorot initialization. */
  initialHead?: SerializedHead;
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  /** Stops between two batches; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface HeadTrainingResult {
  /** The weights after the kept epoch. */
  head: SerializedHead;
  /** Every epoch trained, the ones after the kept epoch included. */
  history: EpochMetrics[];
  hyperparameters: HeadHyperparameters;
  /** The epoch whose weights `head` holds: the last one, or with restoreBestWeights the one with the lowest validation loss. */
  keptEpoch: number;
  /** Whether earlyStoppingPatience ended training before the planned epochs. */
  stoppedEarly: boolean;
}

interface Labelled {
  x: Matrix;
  labels: Int32Array;
}

/**
 * Trains the categorical head on the active TensorFlow.js backend, in this
 * thread (see trainHeadInWorker to keep an event loop free). It yields to
 * the event loop between batches, so a signal can stop it.
 */
export async function trainHead(input: HeadTrainingInput, options: HeadTrainingOptions = {}): Promise<HeadTrainingResult> {
  const { signal, onEpoch } = options;
  signal?.throwIfAborted();
  const hyperparameters = resolveHeadHyperparameters(options.hyperparameters);
  const { classes } = input;
  const train = labelled(input.train, classes, 'training');
  const validation = labelled(input.validation, classes, 'validation');
  if (validation.x.cols !== train.x.cols) {
    throw new RangeError(`validation rows have ${validation.x.cols} features, training rows ${train.x.cols}`);
  }
  const { hiddenUnits: hidden, midUnits: mid } = hyperparameters;
  const units: HeadUnits = { inputs: train.x.cols, hidden, mid, classes };
  const start = options.initialHead ?? initialHead(units, hyperparameters.seed);
  assertUnits(start, units);

  const classWeights =
    hyperparameters.classWeight === 'BALANCED'
      ? balancedClassWeights(train.labels, classes)
      : new Float64Array(classes).fill(1);
  const parameters = toTrainingParameters(start);
  const adam = new Adam(parameters, hyperparameters);
  const batches = new BatchMaker(train, classWeights, units, hyperparameters);
  const history: EpochMetrics[] = [];
  const watch = new ValidationWatch(hyperparameters);
  let head = start;
  try {
    for (let epoch = 1; epoch <= hyperparameters.epochs && !watch.stop; epoch++) {
      const began = performance.now();
      let loss = 0;
      let correct = 0;
      for (const indices of batches.epoch()) {
        const result = batches.withBatch(indices, (batch) => backprop(parameters, batch));
        adam.apply(result.gradients);
        tf.dispose(Object.values(result.gradients));
        loss += result.loss * indices.length;
        correct += result.correct;
        await nextTurn();
        signal?.throwIfAborted();
      }
      head = serializeTrainingParameters(parameters, start.layout);
      const validated = evaluate(head, validation);
      const metrics: EpochMetrics = {
        epoch,
        loss: loss / train.labels.length,
        accuracy: correct / train.labels.length,
        valLoss: validated.loss,
        valAccuracy: validated.accuracy,
        seconds: (performance.now() - began) / 1000,
      };
      history.push(metrics);
      watch.record(metrics, head);
      await onEpoch?.(metrics);
      signal?.throwIfAborted();
    }
  } finally {
    adam.dispose();
    disposeTrainingParameters(parameters);
  }
  const kept = hyperparameters.restoreBestWeights ? watch.best! : { epoch: history.length, head };
  return { head: kept.head, history, hyperparameters, keptEpoch: kept.epoch, stoppedEarly: history.length < hyperparameters.epochs };
}

/**
 * Keras's EarlyStopping on val_loss with min_delta 0: an epoch improves only
 * by a strictly lower loss, so of equal losses the first is the best.
 */
class ValidationWatch {
  best: { epoch: number; valLoss: number; head: SerializedHead } | undefined;
  private sinceBest = 0;

  constructor(private readonly hyperparameters: HeadHyperparameters) {}

  record(metrics: EpochMetrics, head: SerializedHead): void {
    // Each epoch's weights are a fresh buffer, so holding the best one costs no copy.
    if (this.best === undefined || metrics.valLoss < this.best.valLoss) {
      this.best = { epoch: metrics.epoch, valLoss: metrics.valLoss, head };
      this.sinceBest = 0;
    } else {
      this.sinceBest++;
    }
  }

  get stop(): boolean {
    const patience = this.hyperparameters.earlyStoppingPatience;
    return patience !== null && this.sinceBest >= patience;
  }
}

/** Validation runs the inference path itself: dropout off, Keras's layout. */
function evaluate(head: SerializedHead, validation: Labelled): { loss: number; accuracy: number } {
  const model = CategoricalHead.fromSerialized(head);
  try {
    return model.evaluate(validation.x, validation.labels);
  } finally {
    model.dispose();
  }
}

/** Cuts each epoch into (shuffled) batches and builds their tensors: features, class weights, dropout masks. */
class BatchMaker {
  private readonly order: Int32Array;
  private readonly orderRandom: () => number;
  private readonly dropoutRandom: () => number;

  constructor(
    private readonly data: Labelled,
    private readonly classWeights: Float64Array,
    private readonly units: HeadUnits,
    private readonly hyperparameters: HeadHyperparameters,
  ) {
    this.order = Int32Array.from({ length: data.labels.length }, (_, i) => i);
    // Separate streams, so that changing the dropout rate leaves the batch order as it was.
    this.orderRandom = seededRandom(hyperparameters.seed + 1);
    this.dropoutRandom = seededRandom(hyperparameters.seed + 2);
  }

  *epoch(): Generator<Int32Array> {
    const { batchSize, shuffle } = this.hyperparameters;
    if (shuffle) shuffleInPlace(this.order, this.orderRandom);
    for (let start = 0; start < this.order.length; start += batchSize) {
      yield this.order.subarray(start, start + batchSize);
    }
  }

  withBatch<T extends tf.TensorContainer>(indices: Int32Array, use: (batch: Batch) => T): T {
    const { x, labels } = this.data;
    const rows = indices.length;
    const features = new Float32Array(rows * x.cols);
    const batchLabels = new Int32Array(rows);
    const sampleWeights = new Float32Array(rows);
    indices.forEach((row, i) => {
      features.set(x.data.subarray(row * x.cols, (row + 1) * x.cols), i * x.cols);
      batchLabels[i] = labels[row]!;
      sampleWeights[i] = this.classWeights[labels[row]!]!;
    });
    const { dropout } = this.hyperparameters;
    const mask = (units: number) =>
      tf.tensor2d(fillDropoutMask(new Float32Array(units * rows), dropout, this.dropoutRandom), [units, rows]);
    return tf.tidy(() => {
      const masks = dropout > 0 ? { hidden: mask(this.units.hidden), mid: mask(this.units.mid) } : null;
      return use({ x: tf.tensor2d(features, [rows, x.cols]), labels: batchLabels, sampleWeights, masks });
    });
  }
}

function labelled(rows: LabelledRows, classes: number, which: string): Labelled {
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`the head needs at least 2 classes, got ${classes}`);
  const x = toMatrix(rows.x);
  const labels = Int32Array.from(rows.labels);
  if (x.rows === 0) throw new RangeError(`no ${which} rows`);
  if (labels.length !== x.rows) throw new RangeError(`${labels.length} ${which} labels for ${x.rows} rows`);
  const wrong = labels.findIndex((label, i) => label !== rows.labels[i] || label < 0 || label >= classes);
  if (wrong >= 0) {
    throw new RangeError(`${which} label ${rows.labels[wrong]} (row ${wrong}) is not a class index below ${classes}`);
  }
  return { x, labels };
}

function assertUnits(head: SerializedHead, units: HeadUnits): void {
  const given = head.layout.units;
  if (Object.entries(units).some(([key, value]) => given[key as keyof HeadUnits] !== value)) {
    throw new RangeError(`the initial head has units ${JSON.stringify(given)}, training needs ${JSON.stringify(units)}`);
  }
}
