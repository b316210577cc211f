import { z } from 'zod';
import { seededRandom } from '../../util/seeded-random.js';

export interface HeadUnits {
  /** Feature width: 2048 for ResNet50 `avg_pool`. */
  inputs: number;
  hidden: number;
  /** Width of `dense_mid`, the embedding. */
  mid: number;
  classes: number;
}

const HEAD_FORMAT = 'lookalike/categorical-head@1';

const layoutSchema = z.object({
  format: z.literal(HEAD_FORMAT),
  units: z.object({
    inputs: z.number().int().min(1),
    hidden: z.number().int().min(1),
    mid: z.number().int().min(1),
    classes: z.number().int().min(2),
  }),
});

/** JSON that says how to cut `weights` into tensors (see headTensorSpecs). */
export type HeadLayout = z.infer<typeof layoutSchema>;

/**
 * A head as plain data, for storage and for moving between threads: one
 * buffer of float32 weights in Keras's layout (kernels [in, out]), in the
 * order of headTensorSpecs.
 */
export interface SerializedHead {
  layout: HeadLayout;
  weights: Float32Array;
}

export interface TensorSpec {
  name: string;
  shape: number[];
}

export interface HeadTensor extends TensorSpec {
  values: Float32Array;
}

/** The head's tensors in storage order, named as the method's Keras model names its layers. */
export function headTensorSpecs({ inputs, hidden, mid, classes }: HeadUnits): TensorSpec[] {
  return [
    { name: 'dense/kernel', shape: [inputs, hidden] },
    { name: 'dense/bias', shape: [hidden] },
    { name: 'dense_mid/kernel', shape: [hidden, mid] },
    { name: 'dense_mid/bias', shape: [mid] },
    { name: 'dense_out/kernel', shape: [mid, classes] },
    { name: 'dense_out/bias', shape: [classes] },
  ];
}

/** Views of each tensor's values in the head's one buffer. */
export function headTensors(head: SerializedHead): HeadTensor[] {
  let offset = 0;
  return headTensorSpecs(head.layout.units).map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = head.weights.subarray(offset, offset + size);
    offset += size;
    return { ...spec, values };
  });
}

export function headWeightCount(units: HeadUnits): number {
  return headTensorSpecs(units).reduce((total, { shape }) => total + shape.reduce((a, b) => a * b, 1), 0);
}

/** Keras's defaults: Glorot-uniform kernels, zero biases; the seed makes them reproducible. */
export function initialHead(units: HeadUnits, seed: number): SerializedHead {
  const head: SerializedHead = {
    layout: { format: HEAD_FORMAT, units: { ...units } },
    weights: new Float32Array(headWeightCount(units)),
  };
  const random = seededRandom(seed);
  for (const { shape, values } of headTensors(head)) {
    if (shape.length !== 2) continue;
    const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
    for (let i = 0; i < values.length; i++) values[i] = (random() * 2 - 1) * limit;
  }
  return head;
}

/**
 * Checks a stored head (layout as JSON, weights as bytes or floats) and
 * returns it with float32 weights; the bytes are viewed, not copied, when
 * they are aligned.
 */
export function parseSerializedHead(stored: { layout: unknown; weights: Float32Array | Uint8Array }): SerializedHead {
  const parsed = layoutSchema.safeParse(stored.layout);
  if (!parsed.success) throw new TypeError(`not a ${HEAD_FORMAT} layout: ${parsed.error.message}`);
  const layout = parsed.data;
  const weights = asFloat32(stored.weights);
  const expected = headWeightCount(layout.units);
  if (weights.length !== expected) {
    throw new RangeError(`head weights hold ${weights.length} floats; the layout needs ${expected}`);
  }
  return { layout, weights };
}

/** The weights as bytes, e.g. for a bytea column (a view, no copy). */
export function headWeightBytes(head: SerializedHead): Uint8Array {
  return new Uint8Array(head.weights.buffer, head.weights.byteOffset, head.weights.byteLength);
}

function asFloat32(weights: Float32Array | Uint8Array): Float32Array {
  if (weights instanceof Float32Array) return weights;
  if (weights.byteLength % 4 !== 0) throw new RangeError(`head weights are ${weights.byteLength} bytes, not whole float32s`);
  if (weights.byteOffset % 4 === 0) return new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4);
  // A copy into a fresh buffer (Buffer#slice would only make another view).
  return new Float32Array(new Uint8Array(weights).buffer);
}
