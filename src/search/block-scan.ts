import { MARGIN, rounding } from './float-bounds.js';
import type { L2Kernel } from './l2-kernel.js';
import { PROJECTED, projectedBase, roundedUp } from './projection.js';

/** Rows a block holds at most: small enough to skip finely, large enough that a kernel call is worth it. */
export const BLOCK_ROWS = 512;

/** Where a table's rows lie in its memory (vector-table.ts): what a thread needs to read them. */
export interface RowLayout {
  /** Byte address of slot 0's row. */
  rowsAt: number;
  rowBytes: number;
  /** int8 values a row holds, padded; the query's float32s lie at 0, its projected coordinates at 4·columns. */
  columns: number;
}

/** Where one thread's scan of blocks writes: the sums at `out` (a byte address) and the slots, both from `at`. */
export interface BlockOutput {
  out: number;
  slots: Int32Array;
  /** BLOCK_ROWS int32s in the memory, where the kernel writes the slots of a block's rows it read. */
  blockSlots: Int32Array;
}

/**
 * What the rows of a block are read with, as of the scan's reach R of the
 * moment (q included): each row's projected limit and stop is worked out
 * from these and its own terms (block-kernel.ts).
 */
export interface RowBases {
  /** At least σR + e_y (projection.ts, projectedBase). */
  projected: number;
  /** At least R. */
  stop: number;
}

/** The bases for the reach R (q included), the map's σ `norm` and the query's slack e_y; Infinity while R is. */
export function rowBases(reach: number, norm: number, querySlack: number): RowBases {
  return { projected: projectedBase(norm, reach, querySlack), stop: roundedUp(reach * (1 + MARGIN)) };
}

/**
 * Sums the rows of slots start..end that their projected coordinates cannot
 * prove too far (candidates.ts, "Projected rows"), in one call of the
 * kernel (block-kernel.ts); a row's sum stops once past its stop, and a
 * finite sum past it is not written. Without a bound (an infinite stop
 * base) every row is read whole. Writes each sum and slot at `at`
 * onwards; returns the next `at`.
 */
export function readBlock(kernel: L2Kernel, layout: RowLayout, start: number, end: number, bases: RowBases, output: BlockOutput, at: number): number {
  if (bases.stop === Infinity) return readRows(kernel, layout, start, end, Infinity, output, at);
  const { out, slots, blockSlots } = output;
  const projected = rowLimitConstants(PROJECTED);
  const full = rowLimitConstants(layout.columns);
  const read = kernel.filteredSquaredDistances(
    0, layout.rowsAt + start * layout.rowBytes, end - start, layout.rowBytes, out + at * 4, blockSlots.byteOffset, layout.columns, start,
    bases.projected, projected.factor, projected.floor,
    bases.stop, full.factor, full.floor,
  );
  slots.set(blockSlots.subarray(0, read), at);
  return at + read;
}

/** Sums rows from..to whole, each stopping once past `limit`, at `at` onwards; returns the next `at`. */
export function readRows(kernel: L2Kernel, layout: RowLayout, from: number, to: number, limit: number, { out, slots }: BlockOutput, at: number): number {
  kernel.quantizedSquaredDistances(0, layout.rowsAt + from * layout.rowBytes, to - from, layout.rowBytes, out + at * 4, layout.columns, kernelStop(limit));
  for (let slot = from; slot < to; slot++) slots[at++] = slot;
  return at;
}

/** The kernel compares in float32: a stop rounded up, so a row it stops is past the limit itself. */
function kernelStop(limit: number): number {
  return limit === Infinity ? Infinity : limit * (1 + 2 ** -23);
}

/** rowLimitConstants's answers, by the number of squares summed: readBlock asks for them at every block. */
const constants = new Map<number, LimitConstants>();

export interface LimitConstants {
  factor: number;
  floor: number;
}

/**
 * The kernel computes a row's limit in float32 as
 *   fl(fl(fl(b·b)·factor) + floor),  b = fl(B + t),
 * for a base B and the row's term t, both float32s at least the true ones
 * and never negative. It is at least the bound it stands for,
 * ((1 + γ)(B + t)² + A)(1 + 2^-40) with γ and A of a float32 sum of
 * `terms` squares (candidates.ts), and at least the same bound as
 * JavaScript computes it in double. Each float32 operation lands within
 * a relative u = 2^-24 of its exact result, and within 2^-150 where that is
 * subnormal; a sum of non-negative floats loses nothing to underflow. So
 *   b ≥ (B + t)(1 − u),  fl(b·b) ≥ (B + t)²(1 − u)³ − 2^-150,
 *   fl(fl(b·b)·factor) ≥ (B + t)²·factor·(1 − u)⁴ − 2^-150(factor + 1),
 * and the limit is at least that plus floor, times (1 − u). With
 *   factor ≥ (1 + γ)(1 + 2^-40)(1 + 2^-20),  floor ≥ (A(1 + 2^-40) + 2^-140)(1 + 2^-20):
 * (1 + 2^-20)(1 − u)⁵ > 1 + 2^-21, and floor·(1 − u) covers A(1 + 2^-40)
 * and the subnormal losses; the 2^-21 left covers the few double roundings
 * of JavaScript's value, 2^-53 each. An infinite B or t gives Infinity.
 */
export function rowLimitConstants(terms: number): LimitConstants {
  let found = constants.get(terms);
  if (!found) {
    const { gamma, absolute } = rounding(terms);
    const room = 1 + 2 ** -20;
    found = { factor: roundedUp((1 + gamma) * (1 + MARGIN) * room), floor: roundedUp((absolute * (1 + MARGIN) + 2 ** -140) * room) };
    constants.set(terms, found);
  }
  return found;
}
