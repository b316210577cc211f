import { QUANTIZED_STEP, type L2Kernel } from './l2-kernel.js';
import { PROJECTED } from './projection.js';

/** Rows a block holds at most: small enough to skip finely, large enough that a kernel call is worth it. */
export const BLOCK_ROWS = 512;
/** Rows left out between two runs of a block that a scan reads as one: summing them costs less than another kernel call. */
const RUN_GAP = 8;

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
  /** BLOCK_ROWS float32s of scratch for the projected sums. */
  projectedSums: Float32Array;
}

/**
 * Sums the rows of slots start..end that their projected coordinates cannot
 * prove too far (candidates.ts, "Projected rows"): each whose projected sum
 * is at most `projectedLimit`, all of them when it is Infinity. A short gap
 * between two such rows is read with them. A row's sum stops once past
 * `stop`. Writes each sum and slot at `at` onwards; returns the next `at`.
 */
export function readBlock(kernel: L2Kernel, layout: RowLayout, start: number, end: number, projectedLimit: number, stop: number, output: BlockOutput, at: number): number {
  if (projectedLimit === Infinity) return readRows(kernel, layout, start, end, stop, output, at);
  const { projectedSums } = output;
  const projectionAt = layout.rowsAt + start * layout.rowBytes + QUANTIZED_STEP + layout.columns;
  kernel.quantizedSquaredDistances(layout.columns * 4, projectionAt, end - start, layout.rowBytes, projectedSums.byteOffset, PROJECTED, Infinity);
  let run = -1;
  let last = -1;
  for (let slot = start; slot < end; slot++) {
    if (projectedSums[slot - start]! > projectedLimit) continue;
    if (run >= 0 && slot - last > RUN_GAP) {
      at = readRows(kernel, layout, run, last + 1, stop, output, at);
      run = -1;
    }
    if (run < 0) run = slot;
    last = slot;
  }
  return run >= 0 ? readRows(kernel, layout, run, last + 1, stop, output, at) : at;
}

/** Sums rows from..to whole, each stopping once past `limit`, at `at` onwards; returns the next `at`. */
export function readRows(kernel: L2Kernel, layout: RowLayout, from: number, to: number, limit: number, { out, slots }: BlockOutput, at: number): number {
  // The kernel compares in float32: rounded up, so a row it stops is past the limit itself.
  const stop = limit === Infinity ? Infinity : limit * (1 + 2 ** -23);
  kernel.quantizedSquaredDistances(0, layout.rowsAt + from * layout.rowBytes, to - from, layout.rowBytes, out + at * 4, layout.columns, stop);
  for (let slot = from; slot < to; slot++) slots[at++] = slot;
  return at;
}
