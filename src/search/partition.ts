import type { Boxes } from './box-kernel.js';
import { PROJECTED, type Projection } from './projection.js';

/** Relative room for a distance summed in double: (n + 2)·2^-53 at most, for any n a vector can have. */
const MARGIN = 2 ** -40;

/**
 * The blocks of a partitioned VectorTable and what each may hold. Rows are
 * filed by their projected coordinates (projection.ts): the build splits
 * them in halves along their widest coordinate until a half fits a block,
 * so a block's rows lie close together along the catalog's leading axes.
 * Each block keeps a box: `low` and `high` bound every projected
 * coordinate p̃ its rows hold, `slack` their e_x and `radius` their r
 * (projection.ts). For every stored vector x filed in it and a query y'
 *   |y' − x| ≥ (dist(ŷ, box) − e_y − e_x)/σ − r,
 * as |ŷ − p̃| ≥ dist(ŷ, box) and the proof of "Projected rows" in
 * candidates.ts gives the rest. A block whose bound is past the candidate
 * bound's reach (the largest true distance a row pgvector returns can have,
 * candidates.ts) holds no row that can be among pgvector's k nearest: it is
 * skipped whole. Boxes only grow between builds (a rewritten row widens
 * its block's), so they hold whatever is written; new rows go to the tail,
 * which every query scans.
 */
export class Partition {
  /** Per block and coordinate, at block·PROJECTED + j: the box, in the box kernel's memory. */
  readonly low: Float64Array;
  readonly high: Float64Array;

  constructor(
    readonly projection: Projection,
    /** Per block: its first slot and its rows. */
    readonly starts: Int32Array,
    readonly counts: Int32Array,
    private readonly boxes: Boxes,
    /** Per block: the largest e_x and r of its rows. */
    readonly slack: Float64Array,
    readonly radius: Float64Array,
    /** Slots from here to the table's end are the tail. */
    readonly tailStart: number,
  ) {
    ({ low: this.low, high: this.high } = boxes);
  }

  get blocks(): number {
    return this.starts.length;
  }

  /** The block's box grows to hold a rewritten row: its projected coordinates p̃, their slack e_x and its radius r. */
  widen(block: number, coordinates: Float32Array, slack: number, radius: number): void {
    for (let j = 0, at = block * PROJECTED; j < PROJECTED; j++, at++) {
      this.low[at] = Math.min(this.low[at]!, coordinates[j]!);
      this.high[at] = Math.max(this.high[at]!, coordinates[j]!);
    }
    this.slack[block] = Math.max(this.slack[block]!, slack);
    this.radius[block] = Math.max(this.radius[block]!, radius);
  }

  /**
   * Blocks by the lower end of their rows' distance to the query y' (before
   * q), nearest first: a scan may stop at the first block past its reach,
   * every later one is further. `projected` is ŷ, within `querySlack` of
   * the query's true coordinates.
   */
  visitOrder(projected: Float32Array, querySlack: number): NearestFirst {
    const { blocks, counts, slack, radius } = this;
    const norm = this.projection.norm;
    const keys = new Float64Array(blocks);
    const gaps = this.boxes.gaps(projected);
    for (let b = 0; b < blocks; b++) {
      const key = counts[b] === 0 ? Infinity : boxBound(gaps[b]!, norm, querySlack, slack[b]!, radius[b]!);
      // NaN where a coordinate or slack is unbounded (Infinity - Infinity): such a block bounds nothing and is read first.
      keys[b] = Number.isNaN(key) ? -Infinity : key;
    }
    return new NearestFirst(keys);
  }
}

/**
 * Blocks in the order of their keys, smallest first, taken one at a time
 * from a binary heap: a scan stops after a few of them, so sorting them all
 * would cost more than the scan.
 */
export class NearestFirst {
  readonly #heap: Int32Array;
  #size: number;

  constructor(readonly keys: Float64Array) {
    this.#size = keys.length;
    this.#heap = new Int32Array(this.#size);
    for (let b = 0; b < this.#size; b++) this.#heap[b] = b;
    for (let parent = (this.#size >> 1) - 1; parent >= 0; parent--) this.#sink(parent);
  }

  /** The next block's key, Infinity once none is left. */
  get nextKey(): number {
    return this.#size === 0 ? Infinity : this.keys[this.#heap[0]!]!;
  }

  /** The next block, taken out; -1 once none is left. */
  take(): number {
    if (this.#size === 0) return -1;
    const block = this.#heap[0]!;
    this.#heap[0] = this.#heap[--this.#size]!;
    this.#sink(0);
    return block;
  }

  #sink(from: number): void {
    const heap = this.#heap;
    const keys = this.keys;
    const moving = heap[from]!;
    const key = keys[moving]!;
    let parent = from;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= this.#size) break;
      if (child + 1 < this.#size && keys[heap[child + 1]!]! < keys[heap[child]!]!) child++;
      if (keys[heap[child]!]! >= key) break;
      heap[parent] = heap[child]!;
      parent = child;
    }
    heap[parent] = moving;
  }
}

/**
 * A lower bound on |y' − x| for every stored x whose row's coordinates p̃
 * lie in a box at squared distance `gaps` (summed in double from exact
 * float32 differences) from ŷ, the map's σ `norm`, the query's slack e_y,
 * the rows' largest e_x and r: (|ŷ − p̃| − e_y − e_x)/σ − r, with margins
 * that only make it smaller. NaN where a slack is unbounded.
 */
export function boxBound(gaps: number, norm: number, querySlack: number, rowSlack: number, radius: number): number {
  return down(down(down(Math.sqrt(gaps) * (1 - MARGIN)) - querySlack - rowSlack) / norm) - up(radius);
}

/** x moved away from zero by the relative margin: covers one rounding of the sum or difference that made it. */
const up = (x: number) => x + Math.abs(x) * MARGIN;
const down = (x: number) => x - Math.abs(x) * MARGIN;
