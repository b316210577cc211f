import * as tf from '@tensorflow/tfjs';
import { toMatrix } from '../ml/head/matrix.js';

export interface NeighbourList {
  /** Positions in the catalog, nearest first; equal distances by product id, as the service ranks them. */
  indices: Int32Array;
  distances: Float32Array;
}

/** The vectors searched, and position for position the ids of their products. */
export interface SearchedCatalog {
  vectors: readonly Float32Array[];
  ids: ArrayLike<number>;
}

/** Queries per matMul: bounds the block of dot products to queries x catalog floats. */
const QUERY_CHUNK = 256;

/**
 * The k nearest catalog rows of each query by L2, ranked as the service
 * ranks them (pgvector's `order by embedding <-> q, id`): by distance, equal
 * distances by product id. `excludeSelf` skips catalog row i for query i (the
 * queries are the catalog itself).
 *
 * Many queries at once: one matMul per chunk gives every q.x, so
 * |q|^2 + |x|^2 - 2 q.x approximates each squared distance within a proven
 * margin (dotError). The rows whose margin reaches the k-th smallest upper
 * bound are the only ones that can be among the k nearest; their distances
 * are summed again in double, and those rank them.
 */
export function nearestNeighbours(
  queries: readonly Float32Array[],
  catalog: SearchedCatalog,
  k: number,
  options: { excludeSelf?: boolean } = {},
): NeighbourList[] {
  const { vectors, ids } = catalog;
  if (ids.length !== vectors.length) throw new RangeError(`${ids.length} ids for ${vectors.length} catalog vectors`);
  if (vectors.length === 0 || queries.length === 0) return queries.map(() => ({ indices: new Int32Array(0), distances: new Float32Array(0) }));
  const dims = vectors[0]!.length;
  const catalogNorms = Float64Array.from(vectors, squaredNorm);
  const margin = dotError(dims);
  const catalogMatrix = tf.tensor2d(toMatrix(vectors).data, [vectors.length, dims]);
  // Transposed once here: on wasm a matMul with a transpose flag falls back
  // to a naive loop, ~40x slower (bench/RESULTS.md, "training the categorical head").
  const catalogColumns = tf.transpose(catalogMatrix);
  catalogMatrix.dispose();
  try {
    const results: NeighbourList[] = [];
    for (let start = 0; start < queries.length; start += QUERY_CHUNK) {
      const chunk = queries.slice(start, start + QUERY_CHUNK);
      const dots = tf.tidy(() => tf.matMul(tf.tensor2d(toMatrix(chunk).data, [chunk.length, dims]), catalogColumns));
      const values = dots.dataSync() as Float32Array;
      dots.dispose();
      chunk.forEach((query, row) => {
        const rowDots = values.subarray(row * vectors.length, (row + 1) * vectors.length);
        const skip = options.excludeSelf ? start + row : -1;
        const candidates = candidatesOf(query, rowDots, catalogNorms, margin, k, skip);
        results.push(ranked(query, candidates, catalog, k));
      });
    }
    return results;
  } finally {
    catalogColumns.dispose();
  }
}

/**
 * A bound on |computed q.x - q.x| / (|q| |x|) for the matMul's float32 dot
 * products, in any summation order, with or without fused multiply-adds:
 * γ(d) = du / (1 - du), u = 2^-24 (Higham, §3.1), grown for inputs first
 * rounded to TensorFloat-32's 10-bit mantissa (TensorFlow's default for
 * matMul on NVIDIA GPUs since Ampere), by Cauchy-Schwarz on Σ|q_j x_j|.
 */
function dotError(dims: number): number {
  const u = 2 ** -24;
  const gamma = (dims * u) / (1 - dims * u);
  const tf32 = (1 + 2 ** -11) ** 2;
  return tf32 * (1 + gamma) - 1;
}

/**
 * The positions that can be among the k nearest: a row's squared distance is
 * within `spread` of its estimate, so none whose lower bound passes the k-th
 * smallest upper bound can be. Underflow adds at most 2^-126 a term, and the
 * double arithmetic here 2^-40 of the norms.
 */
function candidatesOf(query: Float32Array, dots: Float32Array, norms: Float64Array, margin: number, k: number, skip: number): number[] {
  const queryNorm = squaredNorm(query);
  const estimates = new Float64Array(dots.length);
  const spreads = new Float64Array(dots.length);
  const smallestUpper: number[] = [];
  for (let i = 0; i < dots.length; i++) {
    if (i === skip) continue;
    estimates[i] = queryNorm + norms[i]! - 2 * dots[i]!;
    spreads[i] = 2 * margin * Math.sqrt(queryNorm * norms[i]!) + (queryNorm + norms[i]!) * 2 ** -40 + query.length * 2 ** -124;
    insertBounded(smallestUpper, estimates[i]! + spreads[i]!, k);
  }
  const reach = smallestUpper.length < k ? Infinity : smallestUpper[k - 1]!;
  const candidates: number[] = [];
  for (let i = 0; i < dots.length; i++) {
    if (i !== skip && estimates[i]! - spreads[i]! <= reach) candidates.push(i);
  }
  return candidates;
}

/** Keeps `sorted` the k smallest values seen, ascending. */
function insertBounded(sorted: number[], value: number, k: number): void {
  if (sorted.length === k && value >= sorted[k - 1]!) return;
  let at = sorted.length;
  while (at > 0 && sorted[at - 1]! > value) at--;
  sorted.splice(at, 0, value);
  if (sorted.length > k) sorted.pop();
}

/** The k nearest of the candidates by squared distance summed in double, equal ones by id. */
function ranked(query: Float32Array, candidates: number[], { vectors, ids }: SearchedCatalog, k: number): NeighbourList {
  const squared = new Map(candidates.map((i) => [i, squaredDistance(query, vectors[i]!)]));
  const nearest = candidates.sort((a, b) => squared.get(a)! - squared.get(b)! || ids[a]! - ids[b]!).slice(0, k);
  return {
    indices: Int32Array.from(nearest),
    distances: Float32Array.from(nearest, (i) => Math.sqrt(squared.get(i)!)),
  };
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const difference = a[j]! - b[j]!;
    sum += difference * difference;
  }
  return sum;
}

function squaredNorm(row: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < row.length; j++) sum += row[j]! * row[j]!;
  return sum;
}
