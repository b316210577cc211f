import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { createMatrix, rowCount, toMatrix, type Matrix, type RowsInput } from './matrix.js';
import { headTensors, parseSerializedHead, type HeadUnits, type SerializedHead } from './serialized-head.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

/** Rows per forward pass: big enough to keep the matMuls efficient, small enough to bound memory. */
const DEFAULT_CHUNK_ROWS = 1024;

export interface Embedded {
  /** `dense_mid` outputs, one row per input row (not yet standardized). */
  embeddings: Matrix;
  /** Index of the most probable class of each row. */
  predicted: Int32Array;
}

interface Chunk {
  /** Index of the chunk's first row. */
  start: number;
  mid: Float32Array;
  logits: Float32Array;
}

interface Dense {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * A trained head for inference on the active TensorFlow.js backend: dropout
 * is off, as in Keras's predict. Its tensors live until dispose().
 */
export class CategoricalHead {
  private constructor(
    private readonly head: SerializedHead,
    private readonly layers: [Dense, Dense, Dense],
  ) {}

  /** Accepts a head as trainHead returns it or as stored (layout JSON, weights as bytes). */
  static fromSerialized(stored: { layout: unknown; weights: Float32Array | Uint8Array }): CategoricalHead {
    const head = parseSerializedHead(stored);
    const tensors = headTensors(head).map(({ shape, values }) => tf.tensor(values, shape));
    const dense = (layer: number): Dense => ({
      kernel: tensors[2 * layer] as tf.Tensor2D,
      bias: tensors[2 * layer + 1] as tf.Tensor1D,
    });
    return new CategoricalHead(head, [dense(0), dense(1), dense(2)]);
  }

  get units(): HeadUnits {
    return this.head.layout.units;
  }

  serialize(): SerializedHead {
    return { layout: this.head.layout, weights: this.head.weights.slice() };
  }

  /** The 512-d mid layer and the predicted class of each row of standardized features. */
  embed(x: RowsInput, chunkRows = DEFAULT_CHUNK_ROWS): Embedded {
    const embedded = this.emptyEmbedded(rowCount(x));
    for (const chunk of this.chunks(x, chunkRows)) this.store(embedded, chunk);
    return embedded;
  }

  /** embed, yielding to the event loop between chunks: for many rows on a backend that runs in this thread. */
  async embedInTurns(x: RowsInput, chunkRows = DEFAULT_CHUNK_ROWS): Promise<Embedded> {
    const embedded = this.emptyEmbedded(rowCount(x));
    for (const chunk of this.chunks(x, chunkRows)) {
      this.store(embedded, chunk);
      await nextTurn();
    }
    return embedded;
  }

  /** Keras's evaluate on unweighted data: mean cross-entropy and accuracy. */
  evaluate(x: RowsInput, labels: ArrayLike<number>, chunkRows = DEFAULT_CHUNK_ROWS): { loss: number; accuracy: number } {
    const rows = rowCount(x);
    if (labels.length !== rows) throw new RangeError(`${labels.length} labels for ${rows} rows`);
    const all = Int32Array.from(labels);
    let loss = 0;
    let correct = 0;
    for (const { start, logits } of this.chunks(x, chunkRows)) {
      const sums = softmaxCrossEntropy(logits, all.subarray(start, start + logits.length / this.units.classes));
      loss += sums.loss;
      correct += sums.correct;
    }
    return { loss: loss / rows, accuracy: correct / rows };
  }

  dispose(): void {
    for (const { kernel, bias } of this.layers) tf.dispose([kernel, bias]);
  }

  private emptyEmbedded(rows: number): Embedded {
    return { embeddings: createMatrix(rows, this.units.mid), predicted: new Int32Array(rows) };
  }

  private store({ embeddings, predicted }: Embedded, { start, mid, logits }: Chunk): void {
    embeddings.data.set(mid, start * this.units.mid);
    predicted.set(argmaxRows(logits, this.units.classes), start);
  }

  /** The forward pass over `chunkRows` rows at a time. */
  private *chunks(input: RowsInput, chunkRows: number): Generator<Chunk> {
    const x = toMatrix(input);
    if (x.rows === 0) return;
    if (x.cols !== this.units.inputs) throw new RangeError(`the head takes ${this.units.inputs} features, got ${x.cols}`);
    if (!(chunkRows >= 1)) throw new RangeError(`chunkRows must be at least 1, got ${chunkRows}`);
    const [hidden, mid, out] = this.layers;
    for (let start = 0; start < x.rows; start += chunkRows) {
      const rows = Math.min(chunkRows, x.rows - start);
      const outputs = tf.tidy(() => {
        const features = tf.tensor2d(x.data.subarray(start * x.cols, (start + rows) * x.cols), [rows, x.cols]);
        const h = tf.fused.matMul({ a: features, b: hidden.kernel, bias: hidden.bias, activation: 'relu' });
        const m = tf.fused.matMul({ a: h, b: mid.kernel, bias: mid.bias, activation: 'relu' });
        return [m, tf.fused.matMul({ a: m, b: out.kernel, bias: out.bias })];
      });
      // Read outside tidy: tidy walks what it returns key by key, and a typed
      // array of a million floats takes seconds to walk.
      let values: Float32Array[];
      try {
        values = outputs.map((output) => output.dataSync() as Float32Array);
      } finally {
        tf.dispose(outputs);
      }
      yield { start, mid: values[0]!, logits: values[1]! };
    }
  }
}

function argmaxRows(logits: Float32Array, classes: number): Int32Array {
  const best = new Int32Array(logits.length / classes);
  for (let i = 0; i < best.length; i++) {
    const offset = i * classes;
    for (let c = 1; c < classes; c++) if (logits[offset + c]! > logits[offset + best[i]!]!) best[i] = c;
  }
  return best;
}
