import * as tf from '@tensorflow/tfjs';
import { toMatrix } from '../ml/head/matrix.js';

export interface NeighbourList {
  /** Positions in the catalog, nearest first; equal distances in position order. */
  indices: Int32Array;
  distances: Float32Array;
}

/** Queries per matMul: bounds the distance block to queries x catalog floats. */
const QUERY_CHUNK = 256;

/**
 * The k nearest catalog rows of each query by L2, for offline evaluation of
 * many queries at once: squared distances as |q|^2 + |c|^2 - 2 q.c through
 * one matMul per chunk. `excludeSelf` skips catalog row i for query i (the
 * queries are the catalog itself).
 */
export function nearestNeighbours(
  queries: readonly Float32Array[],
  catalog: readonly Float32Array[],
  k: number,
  options: { excludeSelf?: boolean } = {},
): NeighbourList[] {
  if (catalog.length === 0 || queries.length === 0) return queries.map(() => ({ indices: new Int32Array(0), distances: new Float32Array(0) }));
  const dims = catalog[0]!.length;
  const catalogMatrix = tf.tensor2d(toMatrix(catalog).data, [catalog.length, dims]);
  const catalogNorms = tf.tidy(() => tf.sum(tf.square(catalogMatrix), 1));
  // Transposed once here: on wasm a matMul with a transpose flag falls back
  // to a naive loop, ~40x slower (bench/RESULTS.md, "training the categorical head").
  const catalogColumns = tf.transpose(catalogMatrix);
  try {
    const results: NeighbourList[] = [];
    for (let start = 0; start < queries.length; start += QUERY_CHUNK) {
      const chunk = queries.slice(start, start + QUERY_CHUNK);
      const squared = tf.tidy(() => {
        const q = tf.tensor2d(toMatrix(chunk).data, [chunk.length, dims]);
        const products = tf.matMul(q, catalogColumns);
        return tf.sum(tf.square(q), 1).expandDims(1).add(catalogNorms.expandDims(0)).sub(products.mul(2));
      });
      const values = squared.dataSync() as Float32Array;
      squared.dispose();
      chunk.forEach((_, row) => {
        const self = options.excludeSelf ? start + row : -1;
        results.push(topK(values.subarray(row * catalog.length, (row + 1) * catalog.length), k, self));
      });
    }
    return results;
  } finally {
    tf.dispose([catalogMatrix, catalogNorms, catalogColumns]);
  }
}

function topK(squared: Float32Array, k: number, skip: number): NeighbourList {
  const order: number[] = [];
  for (let i = 0; i < squared.length; i++) {
    if (i === skip) continue;
    if (order.length === k && squared[i]! >= squared[order[k - 1]!]!) continue;
    let at = order.length;
    while (at > 0 && squared[order[at - 1]!]! > squared[i]!) at--;
    order.splice(at, 0, i);
    if (order.length > k) order.pop();
  }
  return {
    indices: Int32Array.from(order),
    distances: Float32Array.from(order, (i) => Math.sqrt(Math.max(0, squared[i]!))),
  };
}
