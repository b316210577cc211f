import { rounding } from './candidates.js';

/** Relative room for a distance summed in double: (n + 2)·2^-53 at most, for any n a vector can have. */
const MARGIN = 2 ** -40;

/**
 * The blocks of a partitioned VectorTable and what each may hold. Rows are
 * grouped by their nearest pivot (a row of the table picked at build time);
 * within a group they are sorted by their distance to the pivot and cut into
 * blocks of consecutive slots. For each block and each pivot c (not only its
 * own), `inner` and `outer` bound |x - c| for every stored vector x filed in
 * the block (not the quantized x': the row's radius r is added): a ring
 * around every pivot. By the triangle inequality a query y' within q of the
 * true query y then has, for every row of the block and every pivot,
 *   |y - x| ≥ max(|y' - c| - outer, inner - |y' - c|) - q,
 * and a block whose lower end, the largest over the pivots, is past the
 * candidate bound's reach (the largest true distance a row pgvector returns
 * can have, candidates.ts) holds no row that can be among pgvector's k
 * nearest: it is skipped whole. Bounds only widen between builds (a
 * rewritten row widens its block's rings), so they hold whatever is
 * written; new rows go to the tail, which every query scans.
 */
export class Partition {
  constructor(
    readonly dimensions: number,
    /** One pivot after another, `dimensions` float32s each. */
    readonly pivots: Float32Array,
    /** Per block: its first slot and its rows. */
    readonly starts: Int32Array,
    readonly counts: Int32Array,
    /** Per block and pivot, at block·groups + pivot: the ring. */
    readonly inner: Float64Array,
    readonly outer: Float64Array,
    /** Slots from here to the table's end are the tail. */
    readonly tailStart: number,
  ) {}

  get blocks(): number {
    return this.starts.length;
  }

  get groups(): number {
    return this.pivots.length / this.dimensions;
  }

  /** The rings of `block` grow to hold a stored vector within `radius` of x' (a rewritten row). */
  widen(block: number, quantized: Float32Array, radius: number): void {
    const groups = this.groups;
    for (let g = 0; g < groups; g++) {
      const [low, high] = pivotDistance(quantized, this.pivots, g, this.dimensions);
      const at = block * groups + g;
      this.inner[at] = Math.min(this.inner[at]!, down(low - radius));
      this.outer[at] = Math.max(this.outer[at]!, up(high + radius));
    }
  }

  /**
   * Blocks by the lower end of their rows' distance to the query y' (before
   * q), nearest first: a scan may stop at the first block past its reach,
   * every later one is further. `lower` is indexed like `order`.
   */
  visitOrder(query: Float32Array): { order: Int32Array; lower: Float64Array } {
    const groups = this.groups;
    const low = new Float64Array(groups);
    const high = new Float64Array(groups);
    for (let g = 0; g < groups; g++) [low[g], high[g]] = pivotDistance(query, this.pivots, g, this.dimensions);
    const blocks = this.blocks;
    const keys = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
      if (this.counts[b] === 0) {
        keys[b] = Infinity;
        continue;
      }
      let key = -Infinity;
      for (let g = 0, at = b * groups; g < groups; g++, at++) {
        const outer = this.outer[at]!;
        // The subtractions round by 2^-53 of their larger operand at most; the slack covers them.
        const bound = Math.max(low[g]! - outer, this.inner[at]! - high[g]!) - (high[g]! + outer) * MARGIN;
        if (bound > key || Number.isNaN(bound)) key = bound;
      }
      // NaN where a row or pivot overflowed float32 (infinite values): such a block bounds nothing and is read first.
      keys[b] = Number.isNaN(key) ? -Infinity : key;
    }
    const order = Int32Array.from({ length: blocks }, (_, b) => b).sort((a, b) => keys[a]! - keys[b]!);
    return { order, lower: Float64Array.from(order, (b) => keys[b]!) };
  }
}

/** x moved away from zero by the relative margin: covers one rounding of the sum or difference that made it. */
export const up = (x: number) => x + Math.abs(x) * MARGIN;
export const down = (x: number) => x - Math.abs(x) * MARGIN;

/** [lower, upper] bounds on |v - pivot g|, summed in double. */
function pivotDistance(vector: Float32Array, pivots: Float32Array, g: number, dimensions: number): [number, number] {
  let squared = 0;
  const base = g * dimensions;
  for (let i = 0; i < dimensions; i++) {
    const difference = vector[i]! - pivots[base + i]!;
    squared += difference * difference;
  }
  const distance = Math.sqrt(squared);
  return [distance * (1 - MARGIN), distance * (1 + MARGIN)];
}

/**
 * [lower, upper] bounds on |x' - c| from the kernel's float32 sum ŝ of the
 * squared differences (candidates.ts: the true sum lies within
 * [(ŝ - A)/(1 + γ), (ŝ + A)/(1 - γ)]); an overflowing sum bounds nothing
 * from above.
 */
export function scannedDistance(sum: number, dimensions: number): [number, number] {
  if (sum === Infinity) return [0, Infinity];
  const { gamma, absolute } = rounding(dimensions);
  return [Math.sqrt(Math.max(0, (sum - absolute) / (1 + gamma))) * (1 - MARGIN), Math.sqrt((sum + absolute) / (1 - gamma)) * (1 + MARGIN)];
}
