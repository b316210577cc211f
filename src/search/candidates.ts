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
): number[] | undefined {
  const { distances, ids } = scan;
  const others = ids.length - (excludeId !== undefined && ids.includes(excludeId) ? 1 : 0);
  if (others <= k) return Array.from(ids).filter((id) => id !== excludeId);
  const threshold = candidateThreshold(kthSmallest(scan, k, excludeId), dimensions);
  if (threshold === undefined) return undefined;
  const found: number[] = [];
  for (let i = 0; i < distances.length; i++) {
    if (distances[i]! <= threshold && ids[i] !== excludeId) found.push(ids[i]!);
  }
  return found;
}

const UNIT_ROUNDOFF = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;

/** T above, or undefined where float32 sums could overflow, and the bound would not hold. */
export function candidateThreshold(kthDistance: number, dimensions: number): number | undefined {
  const roundings = (dimensions + 2) * UNIT_ROUNDOFF;
  const gamma = roundings / (1 - roundings);
  const absolute = 2 * dimensions * SMALLEST_NORMAL;
  const ranked = ((1 + gamma) * (kthDistance + absolute)) / (1 - gamma) + absolute;
  // The arithmetic here is double: a last margin covers its own rounding.
  const threshold = (((1 + gamma) * (ranked + absolute)) / (1 - gamma) + absolute) * (1 + 2 ** -40);
  return threshold < FLOAT32_MAX ? threshold : undefined;
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
