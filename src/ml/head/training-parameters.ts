import * as tf from '@tensorflow/tfjs';
import { headTensors, headWeightCount, type HeadLayout, type SerializedHead } from './serialized-head.js';

export const PARAMETER_NAMES = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];

/**
 * The head's weights as variables while it trains, kept transposed: each
 * kernel [out, in], each bias a column [out, 1], activations [units, batch].
 * Then every matMul of a step takes the large weight matrix as its left
 * operand and needs no transpose flag. On the wasm backend a flag falls back
 * to a naive loop (~0.5 GFLOP/s); and XNNPACK packs the right operand into
 * its own layout, cached per tensor, so a weight there, new every step,
 * would be packed every step at about the cost of the product itself.
 */
export type TrainingParameters = Record<ParameterName, tf.Variable>;

export function toTrainingParameters(head: SerializedHead): TrainingParameters {
  const tensors = headTensors(head);
  return tf.tidy(() => {
    const entries = PARAMETER_NAMES.map((name, i) => {
      const { shape, values } = tensors[i]!;
      const [rows, cols] = shape as [number, number?];
      const value = cols === undefined ? tf.tensor2d(values, [rows, 1]) : tf.transpose(tf.tensor2d(values, [rows, cols]));
      return [name, tf.variable(value)] as const;
    });
    return Object.fromEntries(entries) as TrainingParameters;
  });
}

/** Back to Keras's layout, in one buffer. */
export function serializeTrainingParameters(parameters: TrainingParameters, layout: HeadLayout): SerializedHead {
  const weights = new Float32Array(headWeightCount(layout.units));
  let offset = 0;
  for (const name of PARAMETER_NAMES) {
    const variable = parameters[name];
    const keras = name.startsWith('w') ? tf.transpose(variable) : variable;
    weights.set(keras.dataSync(), offset);
    offset += keras.size;
    if (keras !== variable) keras.dispose();
  }
  return { layout, weights };
}

export function disposeTrainingParameters(parameters: TrainingParameters): void {
  tf.dispose(Object.values(parameters));
}
