import type { L2Kernel } from './l2-kernel.js';
import { roundedUp } from './projection.js';

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
 * Sums the rows of slots start..end that their projected coordinates cannot
 * prove too far (candidates.ts, "Projected rows"): each whose projected sum
 * is at most `projectedLimit`, all of them when it is Infinity, in one call
 * of the kernel (block-kernel.ts). A row's sum stops once past `stop`, and
 * a finite sum past it is not written. Writes each sum and slot at `at`
 * onwards; returns the next `at`.
 */
export function readBlock(kernel: L2Kernel, layout: RowLayout, start: number, end: number, projectedLimit: number, stop: number, output: BlockOutput, at: number): number {
  if (projectedLimit === Infinity) return readRows(kernel, layout, start, end, stop, output, at);
  const { out, slots, blockSlots } = output;
  // Compared in float32: rounded up, so a row left out is past the limit itself.
  const limit = roundedUp(projectedLimit);
  const read = kernel.filteredSquaredDistances(0, layout.rowsAt + start * layout.rowBytes, end - start, layout.rowBytes, out + at * 4, blockSlots.byteOffset, layout.columns, kernelStop(stop), limit, start);
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
