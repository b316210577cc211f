/**
 * Which products can be among pgvector's k nearest, given squared distances
 * from a scan that rounds differently.
 *
 * pgvector ranks by sqrt of a float32 sum of float32 squared differences
 * (auto-vectorized: any summation order, maybe with fused multiply-adds); the
 * scan computes the same sum in another order. For n dimensions and true
 * squared distance s, any such evaluation lies within
 *   [(1 - γ) s - A, (1 + γ) s + A],  γ = γ(n + 2) = (n + 2)u / (1 - (n + 2)u), u = 2^-24
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §2.2 and
 * §4.2: one rounding for the difference, one for the square, at most n - 1
 * for the sum, whatever its tree), while A = 2n·2^-126 covers underflow,
 * gradual or flushed: n products off by under 2^-126 each, grown a little by
 * the sum's roundings.
 *
 * Let t be the scan's k-th smallest distance. Its k rows have, by pgvector,
 *   at most P = (1 + γ)(t + A)/(1 - γ) + A,
 * so each of pgvector's k nearest has at most P by pgvector (whatever its
 * ties), and hence at most T = (1 + γ)(P + A)/(1 - γ) + A by the scan. Every
 * row the scan puts at T or below is a candidate; pgvector then ranks the
 * candidates itself, with its own tie-break by id. sqrt in double is
 * strictly increasing on float32 values, so ranking by the sum is ranking by
 * the distance pgvector returns.
 */
export function candidates(
  scan: { distances: Float32Array; ids: Int32Array },
  k: number,
  dimensions: number,
  excludeId?: number,
  conditions: CandidateConditions = {},
): number[] | undefined {
  const { distances, ids } = conditions.admits ? admitted(scan, conditions.admits) : scan;
  const bound = conditions.maxDistance === undefined ? Infinity : boundThreshold(conditions.maxDistance, dimensions);
  const others = ids.length - (excludeId !== undefined && ids.includes(excludeId) ? 1 : 0);
  const threshold = others <= k ? Infinity : candidateThreshold(kthSmallest({ distances, ids }, k, excludeId), dimensions);
  if (threshold === undefined) return undefined;
  const limit = Math.min(threshold, bound);
  const found: number[] = [];
  for (let i = 0; i < distances.length; i++) {
    if (distances[i]! <= limit && ids[i] !== excludeId) found.push(ids[i]!);
  }
  return found;
}

/**
 * What a filtered search keeps, applied before the k-th distance is taken:
 * the k nearest among the products the filter admits, never a top k filtered
 * afterwards, which could come back short while matches exist.
 */
export interface CandidateConditions {
  admits?: ((productId: number) => boolean) | undefined;
  /** pgvector's distance (not squared) a neighbour may have at most. */
  maxDistance?: number | undefined;
}

/** The scan's rows the filter admits, copied: the scan's own arrays are views of the index. */
function admitted(scan: { distances: Float32Array; ids: Int32Array }, admits: (productId: number) => boolean) {
  const keep: number[] = [];
  for (let i = 0; i < scan.ids.length; i++) if (admits(scan.ids[i]!)) keep.push(i);
  return { distances: Float32Array.from(keep, (i) => scan.distances[i]!), ids: Int32Array.from(keep, (i) => scan.ids[i]!) };
}

const UNIT_ROUNDOFF = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;

/** T above, or undefined where float32 sums could overflow, and the bound would not hold. */
export function candidateThreshold(kthDistance: number, dimensions: number): number | undefined {
  const threshold = scanThreshold(widened(kthDistance, dimensions), dimensions);
  return threshold < FLOAT32_MAX ? threshold : undefined;
}

/**
 * The largest scan value of a row that pgvector can put at maxDistance or
 * closer. pgvector returns sqrt((double) s) for its float32 sum s: a correctly
 * rounded sqrt at most maxDistance means s at most maxDistance² (1 + 2^-51),
 * which the margin covers along with the square's own rounding.
 */
export function boundThreshold(maxDistance: number, dimensions: number): number {
  return scanThreshold(maxDistance * maxDistance * (1 + 2 ** -40), dimensions);
}

/** T from P above: the scan's largest value for a row whose pgvector sum is at most P. */
function scanThreshold(pgvectorSum: number, dimensions: number): number {
  // The arithmetic here is double: a last margin covers its own rounding.
  return widened(pgvectorSum, dimensions) * (1 + 2 ** -40);
}

/** The most one evaluation of a sum can be when another evaluation of it gave `value`. */
function widened(value: number, dimensions: number): number {
  const roundings = (dimensions + 2) * UNIT_ROUNDOFF;
  const gamma = roundings / (1 - roundings);
  const absolute = 2 * dimensions * SMALLEST_NORMAL;
  return ((1 + gamma) * (value + absolute)) / (1 - gamma) + absolute;
}

/** A max-heap of the k smallest distances seen; its root is the k-th smallest. */
function kthSmallest({ distances, ids }: { distances: Float32Array; ids: Int32Array }, k: number, excludeId?: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < distances.length; i++) {
    const value = distances[i]!;
    if (ids[i] === excludeId) continue;
    if (size < k) {
      let child = size++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (heap[parent]! >= value) break;
        heap[child] = heap[parent]!;
        child = parent;
      }
      heap[child] = value;
    } else if (value < heap[0]!) {
      let parent = 0;
      for (;;) {
        let child = 2 * parent + 1;
        if (child >= k) break;
        if (child + 1 < k && heap[child + 1]! > heap[child]!) child++;
        if (heap[child]! <= value) break;
        heap[parent] = heap[child]!;
        parent = child;
      }
      heap[parent] = value;
    }
  }
  return heap[0]!;
}
