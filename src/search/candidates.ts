import { MARGIN, rankingBound, rounding } from './float-bounds.js';

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
 *
 * Filter. pgvector ranks only the rows the filter admits, so U is taken over
 * admitted rows only: k of them within U still bound its k-th value by P.
 * U may be taken over any subset of admitted rows whose upper bounds are true
 * ones (from full sums): fewer rows only make it larger.
 *
 * maxDistance M. pgvector returns only rows with sqrt of their sum at most
 * M, so sums at most M²(1 + 2^-40): a true distance at most
 * Dm = sqrt((M²(1 + 2^-40) + A)/(1 - γ)). D still holds: if M drops one of
 * the k rows within U, that row's sum, at most P, is past every sum M keeps.
 * So each returned row is within min(D, Dm), and a row is a candidate when
 * l ≤ min(D, Dm): the test above with min(D, Dm) for D, widened by r + q
 * like D (a row's true distance may be r + q below its scanned one). Dm
 * needs no k rows, nor a bound on overflow: the sums M keeps are finite.
 *
 * Skipped rows. So no row whose true distance exceeds min(D, Dm) is among
 * pgvector's answer, and a scan may leave such rows out unread: U over the
 * rows it did read is still U over a subset of admitted rows, and D, Dm and
 * the test above hold for the rows it returns. A partitioned table
 * (partition.ts) skips a block when, for every stored vector x filed in it,
 * |x - c| lies in [inner, outer] around its pivot c, and
 *   max(|y' - c| - outer, inner - |y' - c|) - q > min(D, Dm)
 * (computed in double with margins that only make the left side smaller):
 * by the triangle inequality |y - x| ≥ |y' - x| - q ≥ ||y' - c| - |x - c|| - q,
 * so every row of it is further than min(D, Dm). The scan compares with the
 * reach of the moment, over the rows read so far; the reach only falls as
 * rows are added, so the final one is smaller still and the skip stands.
 * A row is equal to the bound, not past it, when a tie sits on the k-th
 * distance: the comparison is strict, so such a block is read.
 *
 * Projected rows. A row may also be left out on its projected coordinates
 * (projection.ts). U is a linear map to m = 32 coordinates with σ ≥ ‖U‖₂,
 * proven by Gershgorin's bound on UUᵀ, so |U(a − b)| ≤ σ|a − b| for any
 * a, b. A row keeps p̃, float32 coordinates with |p̃ − U(x' − c_0)| ≤ e_x,
 * and the query's are ŷ, float32s with |ŷ − U(y' − c_0)| ≤ e_y; how each
 * bound is earned is written beside its code. Then
 *   |U(y' − x')| ≥ |ŷ − p̃| − e_y − e_x,
 *   |y − x| ≥ |y' − x'| − q − r ≥ (|ŷ − p̃| − e_y − e_x)/σ − q − r,
 * and the kernel's float32 sum ŝ of the m squared differences of ŷ and p̃
 * bounds |ŷ − p̃| ≥ sqrt(max(0, (ŝ − A_m)/(1 + γ_m))) as above, with γ_m
 * and A_m for m terms. So a row with
 *   ŝ > (1 + γ_m)(σ(min(D, Dm) + q + r) + e_y + e_x)² + A_m
 * is truly further than min(D, Dm) and is left out unread, like a skipped
 * block, by the same argument: the reach only falls as rows are read.
 * A block is skipped on its box too: `low` and `high` hold every p̃ of its
 * rows, so |ŷ − p̃| ≥ dist(ŷ, box), and its largest e_x and r stand for
 * each row's. Only the margins differ from the ring's (partition.ts). The
 * kernel tests each row of a block it reads with that row's own r and e_x
 * (block-kernel.ts), and works the test out in float32 at or above the
 * value here (block-scan.ts, rowLimitConstants).
 * Stopped rows. The kernel stops summing a row once a partial sum passes
 * its stop, and reports that partial sum, which is at most the full one.
 * A row's stop is at least the test above (ŝ ≤ (1 + γ)(D + r + q)² + A,
 * with the reach of the moment for D) for its own radius r, so a stopped
 * row's value is past the test for its radius, now and for every later,
 * smaller reach: it never enters U (add) nor the candidates. A block's
 * largest radius, or the table's, would do too, but one coarsely quantized
 * row would then keep every row beside it summed in full. The block
 * kernel does not even write such a row out (block-kernel.ts): a row it
 * leaves out is past its stop itself, a skipped row. A sum that overflowed
 * to Infinity bounds nothing, and is written.
 * Shared scans. A scan may hand blocks to a helper thread (scan-helper.ts)
 * with the limits of the moment it hands them over: the helper leaves out
 * and stops rows by those, which are at least the scan's final ones, and
 * the scan adds the rows the helper read to U as if it had read them
 * itself, later than it would have. U over any subset of admitted rows with
 * full sums still bounds pgvector's k-th, and a row left out on an earlier,
 * larger reach is further than the final one too, so nothing above changes.
 */
import type { VectorTable } from './vector-table.js';

export interface Scan {
  /** Each row's squared distance to the query as the scan's float32 sum computed it. */
  distances: Float32Array;
  ids: Int32Array;
  /** A category code per row, as the table's caller gave it (space-index.ts); 0 for every row without. */
  categories?: Int32Array;
  /** How far each row's stored vector may lie from the one scanned; rows are exact without. */
  radii?: Float64Array;
  /** At least every radius. */
  maxRadius?: number;
}

/**
 * What a filtered search keeps, applied before the k-th distance is taken:
 * the k nearest among the products the filter admits, never a top k filtered
 * afterwards, which could come back short while matches exist.
 */
export interface CandidateConditions {
  admits?: Admission | undefined;
  /** pgvector's distance (not squared) a neighbour may have at most. */
  maxDistance?: number | undefined;
}

/** Whether a row may be a neighbour, by its product id and category code: called for many rows, so a few array reads. */
export type Admission = (productId: number, category: number) => boolean;

/** With `queryRadius`, the query stands for a vector within that distance of it (q above). */
export function candidates(
  scan: Scan,
  k: number,
  dimensions: number,
  excludeId?: number,
  conditions: CandidateConditions = {},
  queryRadius = 0,
): number[] | undefined {
  const bound = new CandidateBound(k, dimensions, excludeId, conditions, queryRadius);
  bound.add(scan, 0, scan.ids.length);
  return candidateSet(scan, bound, excludeId, conditions)?.ids;
}

/** The candidates, and min(D, Dm) above: every row left out is truly further from the query than `reach`. */
export interface Candidates {
  ids: number[];
  reach: number;
}

/** The rows of the scan within the bound's reach; `bound` has had every row of the scan added. */
function candidateSet(scan: Scan, bound: CandidateBound, excludeId: number | undefined, conditions: CandidateConditions): Candidates | undefined {
  const { distances, ids, categories, radii } = scan;
  const { admits } = conditions;
  // Unbounded: fewer than k admitted rows besides the excluded, all candidates, or sums that could overflow.
  if (bound.reach === Infinity && admittedOthers(scan, excludeId, admits) > bound.k) return undefined;
  const widest = bound.limit(scan.maxRadius ?? 0);
  const found: number[] = [];
  for (let i = 0; i < distances.length; i++) {
    const distance = distances[i]!;
    // An overflowing sum bounds nothing: such a row stays a candidate.
    if (distance > widest && distance !== Infinity) continue;
    if (ids[i] === excludeId) continue;
    if (radii && distance !== Infinity && distance > bound.limit(radii[i]!)) continue;
    if (admits && !admits(ids[i]!, categories ? categories[i]! : 0)) continue;
    found.push(ids[i]!);
  }
  return { ids: found, reach: bound.reach };
}

function admittedOthers({ ids, categories }: Scan, excludeId: number | undefined, admits: Admission | undefined): number {
  let count = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== excludeId && (!admits || admits(ids[i]!, categories ? categories[i]! : 0))) count++;
  return count;
}

/**
 * candidates() of a scan of the table that stops summing rows once they are
 * past the limit of the rows before them. With `ofProduct`, the query is that
 * product's vectorOf, within its radius of the stored vector.
 */
export function candidatesIn(
  table: VectorTable,
  query: Float32Array,
  k: number,
  ofProduct?: number,
  conditions: CandidateConditions = {},
): Promise<Candidates | undefined> {
  const queryRadius = ofProduct === undefined ? 0 : (table.radiusOf(ofProduct) ?? 0);
  const bound = new CandidateBound(k, table.dimensions, ofProduct, conditions, queryRadius);
  let added = 0;
  const limits = {
    threshold: (scanned: Required<Scan>) => {
      bound.add(scanned, added, scanned.ids.length);
      added = scanned.ids.length;
      return bound.limit(scanned.maxRadius);
    },
    reach: () => bound.reach + queryRadius,
  };
  // The bound has the rows asked about before each block; the last ones join it here, not a second pass over all.
  return table.squaredDistances(query, limits, (scan) => {
    bound.add(scan, added, scan.ids.length);
    return candidateSet(scan, bound, ofProduct, conditions);
  });
}

/**
 * U, D and min(D, Dm) above over the rows added so far. U only falls as rows
 * are added, so a limit given early stays at least the final one: a scan may
 * stop summing a row once its partial sum passes the limit of the moment
 * (vector-table.ts), and that row is then past every later limit too. A row
 * past the limit of the moment never enters the heap: a partial sum gives no
 * upper bound, and a full one that far out cannot make U smaller than D
 * would allow anyway, or belongs to a row beyond Dm.
 */
export class CandidateBound {
  readonly #heap: Float64Array;
  #size = 0;
  #rootSquared = Infinity;
  /** ranking, worked out once per change of the heap; null when stale. */
  #ranking: number | undefined | null = null;
  readonly #gamma: number;
  readonly #absolute: number;
  readonly #admits: Admission | undefined;
  /** Dm above; Infinity without maxDistance. */
  readonly #distanceBound: number;

  constructor(
    readonly k: number,
    private readonly dimensions: number,
    private readonly excludeId?: number,
    { admits, maxDistance }: CandidateConditions = {},
    private readonly queryRadius = 0,
  ) {
    this.#heap = new Float64Array(k);
    ({ gamma: this.#gamma, absolute: this.#absolute } = rounding(dimensions));
    this.#admits = admits;
    this.#distanceBound =
      maxDistance === undefined
        ? Infinity
        : Math.sqrt((maxDistance * maxDistance * (1 + MARGIN) + this.#absolute) / (1 - this.#gamma)) * (1 + MARGIN);
  }

  /** D, or undefined while it is unbounded: fewer than k finite admitted rows so far, or pgvector's sums could overflow. */
  get ranking(): number | undefined {
    if (this.#ranking === null) this.#ranking = this.#size < this.k ? undefined : rankingBound(this.#heap[0]!, this.dimensions);
    return this.#ranking;
  }

  /** min(D, Dm): how far from the query a row pgvector returns can truly be; Infinity while unbounded. */
  get reach(): number {
    return Math.min(this.ranking ?? Infinity, this.#distanceBound);
  }

  /** The largest scan sum ŝ that a row of this radius can have and still be a candidate; Infinity while unbounded. */
  limit(radius: number): number {
    const reach = this.reach;
    if (reach === Infinity) return Infinity;
    return ((1 + this.#gamma) * (reach + radius + this.queryRadius) ** 2 + this.#absolute) * (1 + MARGIN);
  }

  /**
   * Rows from..to of the scan into a max-heap of the k smallest upper bounds
   * of admitted rows, its root U. A row whose sum is past the root squared
   * cannot enter: its bound is larger.
   */
  add({ distances, ids, categories, radii }: Scan, from: number, to: number): void {
    const heap = this.#heap;
    const k = this.k;
    const admits = this.#admits;
    for (let i = from; i < to; i++) {
      const distance = distances[i]!;
      if (distance >= this.#rootSquared || ids[i] === this.excludeId) continue;
      const radius = radii ? radii[i]! : 0;
      // Only admitted rows bound pgvector's k-th; none past the limit (the class comment).
      // The limit first: a filter's test (a store's rules) costs more than a comparison.
      if (distance > this.limit(radius) || (admits && !admits(ids[i]!, categories ? categories[i]! : 0))) continue;
      const value = Math.sqrt((distance + this.#absolute) / (1 - this.#gamma)) * (1 + MARGIN) + (radius + this.queryRadius) * (1 + MARGIN);
      if (this.#size < k) {
        let child = this.#size++;
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
      this.#ranking = null;
      if (this.#size === k) this.#rootSquared = heap[0]! * heap[0]!;
    }
  }
}
