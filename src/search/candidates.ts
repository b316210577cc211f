/**
 * Which products can be among pgvector's k nearest, given squared distances
 * from a scan that rounds differently, of vectors that may differ from the
 * stored ones by a known radius.
 *
 * Rounding. pgvector ranks by sqrt of a float32 sum of float32 squared
 * differences (auto-vectorized: any summation order, maybe with fused
 * multiply-adds); the scan computes such a sum in another order. For n
 * dimensions and true squared distance s, any such evaluation lies within
 *   [(1 - γ) s - A, (1 + γ) s + A],  γ = γ(n + 2) = (n + 2)u / (1 - (n + 2)u), u = 2^-24
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §2.2 and
 * §4.2: one rounding for the difference, one for the square, at most n - 1
 * for the sum, whatever its tree), while A = 2n·2^-126 covers underflow,
 * gradual or flushed: n products off by under 2^-126 each, grown a little by
 * the sum's roundings. A finite sum had no overflow on the way: partial sums
 * of non-negative terms only grow.
 *
 * Radii. The scan compares the query y' with a row x' that stands for the
 * stored vector x, with |x - x'| ≤ r (the row's radius: its quantization
 * error, vector-table.ts), and y' stands for the true query y with
 * |y - y'| ≤ q (0 for a query given as a vector; the product's own radius
 * when the query is a product's vector). By the triangle inequality the true
 * distance |y - x| lies within |y' - x'| ± (r + q), and |y' - x'| within
 *   [sqrt(max(0, (ŝ - A) / (1 + γ))), sqrt((ŝ + A) / (1 - γ))]
 * for the scan's sum ŝ. So each row has an upper bound h and a lower bound l
 * on its true distance.
 *
 * Let U be the k-th smallest h. Those k rows are within U of the query, so
 * pgvector computes each at most P = (1 + γ)U² + A, and its own k-th value is
 * at most P. Each of pgvector's k nearest, whatever its ties and their
 * tie-break by id, has pgvector's value at most P, hence a true squared
 * distance at most (P + A)/(1 - γ) = D². Every row with l ≤ D, i.e.
 *   ŝ ≤ (1 + γ)(D + r + q)² + A,
 * is a candidate, and pgvector then ranks the candidates itself. sqrt in
 * double is strictly increasing on float32 values, so ranking by the sum is
 * ranking by the distance pgvector returns. The arithmetic here is double: a
 * relative margin of 2^-40 on each bound covers its own rounding.
 */
export interface Scan {
  /** Each row's squared distance to the query as the scan's float32 sum computed it. */
  distances: Float32Array;
  ids: Int32Array;
  /** How far each row's stored vector may lie from the one scanned; rows are exact without. */
  radii?: Float64Array;
  /** At least every radius. */
  maxRadius?: number;
}

export function candidates(scan: Scan, k: number, dimensions: number, excludeId?: number, queryRadius = 0): number[] | undefined {
  const { distances, ids, radii } = scan;
  const others = ids.length - (excludeId !== undefined && ids.includes(excludeId) ? 1 : 0);
  if (others <= k) return Array.from(ids).filter((id) => id !== excludeId);
  const { gamma, absolute } = rounding(dimensions);
  const bound = rankingBound(kthUpperBound(scan, k, gamma, absolute, queryRadius, excludeId), dimensions);
  if (bound === undefined) return undefined;
  const limit = (radius: number) => ((1 + gamma) * (bound + radius + queryRadius) ** 2 + absolute) * (1 + MARGIN);
  const widest = limit(scan.maxRadius ?? 0);
  const found: number[] = [];
  for (let i = 0; i < distances.length; i++) {
    const distance = distances[i]!;
    // An overflowing sum bounds nothing: such a row stays a candidate.
    if (distance > widest && distance !== Infinity) continue;
    if (ids[i] === excludeId) continue;
    if (radii && distance !== Infinity && distance > limit(radii[i]!)) continue;
    found.push(ids[i]!);
  }
  return found;
}

const UNIT_ROUNDOFF = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;
const MARGIN = 2 ** -40;

function rounding(dimensions: number): { gamma: number; absolute: number } {
  const roundings = (dimensions + 2) * UNIT_ROUNDOFF;
  return { gamma: roundings / (1 - roundings), absolute: 2 * dimensions * SMALLEST_NORMAL };
}

/**
 * D above, from U, the k-th smallest upper bound on a true distance; or
 * undefined where pgvector's float32 sums could overflow, and the bound
 * would not hold.
 */
export function rankingBound(kthUpper: number, dimensions: number): number | undefined {
  const { gamma, absolute } = rounding(dimensions);
  const ranked = (1 + gamma) * kthUpper * kthUpper * (1 + MARGIN) + absolute;
  if (!(ranked < FLOAT32_MAX)) return undefined;
  return Math.sqrt((ranked + absolute) / (1 - gamma)) * (1 + MARGIN);
}

/**
 * U above: a max-heap of the k smallest upper bounds seen, its root the k-th.
 * A row whose sum is past the root squared cannot enter: its bound is larger.
 */
function kthUpperBound(scan: Scan, k: number, gamma: number, absolute: number, queryRadius: number, excludeId?: number): number {
  const { distances, ids, radii } = scan;
  const heap = new Float64Array(k);
  let size = 0;
  let rootSquared = Infinity;
  for (let i = 0; i < distances.length; i++) {
    const distance = distances[i]!;
    if (distance >= rootSquared || ids[i] === excludeId) continue;
    const value = Math.sqrt((distance + absolute) / (1 - gamma)) * (1 + MARGIN) + ((radii ? radii[i]! : 0) + queryRadius) * (1 + MARGIN);
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
    } else {
      continue;
    }
    if (size === k) rootSquared = heap[0]! * heap[0]!;
  }
  // Fewer than k finite sums: nothing bounds the k-th.
  return size < k ? Infinity : heap[0]!;
}
