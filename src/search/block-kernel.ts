import { accumulateQuantized, sumOfLanes as sumOfLanesOf } from './kernel-parts.js';
import { F32, I32, op, V128 } from './wasm-ops.js';

/**
 * The body of the kernel's `filteredSquaredDistances` (l2-kernel.ts): a
 * block's rows read in one call, each first by its projected coordinates
 * and then, unless those put it past `limit`, in full. It does in
 * WebAssembly what readBlock (block-scan.ts) did with two kernel calls and
 * a loop in JavaScript, and reads only the rows it keeps, not the short
 * gaps between them that saved calls. Nor does it write a row whose sum
 * passes the stop: nothing downstream would keep it, and three loops in
 * JavaScript went over every row written (at the real-embedding million,
 * ~41,000 rows a query for a few dozen candidates):
 *
 *   (func (export "filteredSquaredDistances")
 *     (param $query i32) (param $rows i32) (param $count i32) (param $rowBytes i32) (param $out i32)
 *     (param $slots i32) (param $dataBytes i32) (param $threshold f32) (param $limit f32) (param $slot i32)
 *     (result i32)
 *     for each row:
 *       p := the float32 sum over its projected coordinates, as quantizedSquaredDistances
 *            sums a row of PROJECTED values at $rows + 16 + $dataBytes against the query's
 *            coordinates at $query + 4·$dataBytes
 *       unless p > $limit:
 *         s := its sum as quantizedSquaredDistances takes it, stopping past $threshold
 *         unless s > $threshold and s is finite:
 *           $out[n] := s; $slots[n] := $slot; n += 1
 *       $rows += $rowBytes; $slot += 1
 *     (result n))
 *
 * Both sums are the other kernel's to the bit: the same lanes, the same order.
 */
const [QUERY, ROWS, COUNT, ROW_BYTES, OUT, SLOTS, DATA_BYTES, THRESHOLD, LIMIT, SLOT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const [WRITTEN, OFFSET, PROJECTED_QUERY] = [10, 11, 12] as const;
const [ACC0, ACC1, ACC2, ACC3, DIFF, SCALE, BYTES] = [13, 14, 15, 16, 17, 18, 19] as const;
const SUM = 20;
const ACCUMULATORS = [ACC0, ACC1, ACC2, ACC3] as const;

/** int8 values a checkpoint covers, as in quantizedSquaredDistances. */
const CHECKPOINT = 128;
/** Projected coordinates a row holds (projection.ts): two steps of 16. */
const PROJECTED_STEPS = 2;

/** acc += the squared differences of values 4·part .. of BYTES and the query's at `queryAddress`. */
function accumulate(part: number, queryAddress: number[]): number[] {
  return accumulateQuantized(ACCUMULATORS[part]!, part, { bytes: BYTES, scale: SCALE, diff: DIFF }, queryAddress);
}

const sumOfLanes = sumOfLanesOf(ACCUMULATORS, DIFF);

const clearAccumulators = ACCUMULATORS.flatMap((acc) => [...op.v128Zero, ...op.set(acc)]);

/** The projected sum of the row at ROWS, on the stack. */
const projectedSum = [
  ...clearAccumulators,
  ...op.get(ROWS), ...op.get(DATA_BYTES), ...op.i32Add, ...op.f32LoadAt(16), ...op.f32x4Splat, ...op.set(SCALE),
  ...Array.from({ length: PROJECTED_STEPS }, (_, step) => [
    ...op.get(ROWS), ...op.get(DATA_BYTES), ...op.i32Add, ...op.v128Load(32 + 16 * step), ...op.set(BYTES),
    ...[0, 1, 2, 3].flatMap((part) => accumulate(part, [...op.get(PROJECTED_QUERY), ...op.i32Const(64 * step), ...op.i32Add])),
  ]).flat(),
  ...sumOfLanes,
];

/** The full sum of the row at ROWS, stopped at a checkpoint past THRESHOLD, on the stack. */
const fullSum = [
  ...clearAccumulators,
  ...op.get(ROWS), ...op.f32Load, ...op.f32x4Splat, ...op.set(SCALE),
  ...op.i32Const(0), ...op.set(OFFSET),
  ...op.block, ...op.loop,
  ...op.get(ROWS), ...op.get(OFFSET), ...op.i32Add, ...op.v128Load(16), ...op.set(BYTES),
  ...[0, 1, 2, 3].flatMap((part) => accumulate(part, [...op.get(QUERY), ...op.get(OFFSET), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add])),
  ...op.get(OFFSET), ...op.i32Const(16), ...op.i32Add, ...op.tee(OFFSET),
  ...op.i32Const(CHECKPOINT - 1), ...op.i32And, ...op.i32Eqz, ...op.if,
  ...sumOfLanes, ...op.get(THRESHOLD), ...op.f32Gt, ...op.brIf(2),
  ...op.end,
  ...op.get(OFFSET), ...op.get(DATA_BYTES), ...op.i32LtU, ...op.brIf(0),
  ...op.end, ...op.end,
  ...sumOfLanes,
];

export const FILTERED_TYPE = [0x60, 10, I32, I32, I32, I32, I32, I32, I32, F32, F32, I32, 1, I32];

export const filteredBody = [
  3, 3, I32, 7, V128, 1, F32,
  ...op.get(QUERY), ...op.get(DATA_BYTES), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.set(PROJECTED_QUERY),
  ...op.block, ...op.loop,
  ...op.get(COUNT), ...op.i32Eqz, ...op.brIf(1),
  ...op.block,
  ...projectedSum, ...op.get(LIMIT), ...op.f32Gt, ...op.brIf(0),
  ...fullSum, ...op.set(SUM),
  // A finite sum past the stop no longer matters (candidates.ts, "Stopped rows"): not written.
  ...op.get(SUM), ...op.get(THRESHOLD), ...op.f32Gt, ...op.get(SUM), ...op.f32Const(Infinity), ...op.f32Ne, ...op.i32And, ...op.brIf(0),
  ...op.get(OUT), ...op.get(WRITTEN), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.get(SUM), ...op.f32Store,
  ...op.get(SLOTS), ...op.get(WRITTEN), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.get(SLOT), ...op.i32Store,
  ...op.get(WRITTEN), ...op.i32Const(1), ...op.i32Add, ...op.set(WRITTEN),
  ...op.end,
  ...op.get(ROWS), ...op.get(ROW_BYTES), ...op.i32Add, ...op.set(ROWS),
  ...op.get(SLOT), ...op.i32Const(1), ...op.i32Add, ...op.set(SLOT),
  ...op.get(COUNT), ...op.i32Const(1), ...op.i32Sub, ...op.set(COUNT),
  ...op.br(0),
  ...op.end, ...op.end,
  ...op.get(WRITTEN),
  ...op.end,
];
