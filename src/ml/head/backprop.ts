import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import type { ParameterName, TrainingParameters } from './training-parameters.js';

export interface Batch {
  /** Standardized features, [rows, inputs]. */
  x: tf.Tensor2D;
  labels: Int32Array;
  /** Each row's class weight. */
  sampleWeights: Float32Array;
  /** Inverted-dropout masks, transposed like the activations: [hidden, rows] and [mid, rows]; null for none. */
  masks: { hidden: tf.Tensor2D; mid: tf.Tensor2D } | null;
}

// A type, not an interface, so that tf.tidy accepts it as a TensorContainer.
export type BatchResult = {
  /** The caller disposes them. */
  gradients: Record<ParameterName, tf.Tensor>;
  /** Mean over the batch of weight * cross-entropy, as Keras reports a batch's loss. */
  loss: number;
  correct: number;
};

/**
 * One forward and backward pass of the head, written out by hand so that no
 * matMul takes a transpose flag (see TrainingParameters): the batch's own
 * small tensors are transposed explicitly instead. The loss and its gradient
 * with respect to the logits are computed on the host from the [rows,
 * classes] logits, which also gives the batch's metrics.
 */
export function backprop(parameters: TrainingParameters, batch: Batch): BatchResult {
  const { w1, b1, w2, b2, w3, b3 } = parameters;
  const rows = batch.labels.length;
  return tf.tidy(() => {
    const xT = tf.transpose(batch.x);
    const h1 = tf.relu(tf.add(tf.matMul(w1, xT), b1));
    const d1 = batch.masks ? tf.mul(h1, batch.masks.hidden) : h1;
    const h2 = tf.relu(tf.add(tf.matMul(w2, d1), b2));
    const d2 = batch.masks ? tf.mul(h2, batch.masks.mid) : h2;
    const logitsT = tf.add(tf.matMul(w3, d2), b3);

    const logits = tf.transpose(logitsT).dataSync() as Float32Array;
    const dLogits = new Float32Array(logits.length);
    const { loss, correct } = softmaxCrossEntropy(logits, batch.labels, batch.sampleWeights, dLogits);
    const g3 = tf.transpose(tf.tensor2d(dLogits, [rows, logits.length / rows]));

    const g2 = throughDropoutAndRelu(tf.matMul(tf.transpose(w3), g3), h2, batch.masks?.mid);
    const g1 = throughDropoutAndRelu(tf.matMul(tf.transpose(w2), g2), h1, batch.masks?.hidden);
    const gradients = {
      w3: tf.matMul(g3, tf.transpose(d2)),
      b3: tf.sum(g3, 1, true),
      w2: tf.matMul(g2, tf.transpose(d1)),
      b2: tf.sum(g2, 1, true),
      w1: tf.matMul(g1, batch.x),
      b1: tf.sum(g1, 1, true),
    };
    return { gradients, loss: loss / rows, correct };
  });
}

/** Gradient at a layer's pre-activation from the gradient at its dropped-out output. */
function throughDropoutAndRelu(gradient: tf.Tensor, activation: tf.Tensor, mask: tf.Tensor | undefined): tf.Tensor {
  const open = tf.step(activation);
  return tf.mul(gradient, mask ? tf.mul(mask, open) : open);
}
