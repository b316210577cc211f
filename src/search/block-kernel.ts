import { accumulateQuantized, sumOfLanes as sumOfLanesOf } from './kernel-parts.js';
import { F32, I32, op, V128 } from './wasm-ops.js';

/**
 * The body of the kernel's `filteredSquaredDistances` (l2-kernel.ts): a
 * block's rows read in one call, each first by its projected coordinates
 * and then, unless those put it too far, in full. It does in WebAssembly
 * what readBlock (block-scan.ts) did with two kernel calls and a loop in
 * JavaScript, and reads only the rows it keeps. Nor does it write a row
 * whose sum passes its stop: nothing downstream would keep it, and three
 * loops in JavaScript went over every row written.
 *
 * Both tests are per row: each widens the query's reach by the row's own
 * terms, which its headers hold (row-store.ts): its radius r at byte 4 of
 * the row, and σr + e_x (projection.ts, rowWidening) at byte 8 of its
 * projection. A block's largest terms would do too, but a few coarsely
 * quantized rows in a block (at the real-embedding million its largest
 * radius is a median 1.02, its median row's 0.23) would then set the tests
 * of all its rows (bench/RESULTS.md, "Each row's own limits"). Each limit is
 *
 *   limit(base, term) = fl(fl(fl(b·b)·factor) + floor),  b = fl(base + term),
 *
 * in float32, with base, factor and floor from block-scan.ts (rowLimitConstants
 * there says why it is at least the bound it stands for):
 *
 *   (func (export "filteredSquaredDistances")
 *     (param $query i32) (param $rows i32) (param $count i32) (param $rowBytes i32) (param $out i32)
 *     (param $slots i32) (param $dataBytes i32) (param $slot i32)
 *     (param $projectedBase f32) (param $projectedFactor f32) (param $projectedFloor f32)
 *     (param $stopBase f32) (param $stopFactor f32) (param $stopFloor f32)
 *     (result i32)
 *     for each row:
 *       p := the float32 sum over its projected coordinates, as quantizedSquaredDistances
 *            sums a row of PROJECTED values at $rows + 16 + $dataBytes against the query's
 *            coordinates at $query + 4·$dataBytes
 *       unless p > limit($projectedBase, its σr + e_x):
 *         stop := limit($stopBase, its r)
 *         s := its sum as quantizedSquaredDistances takes it, stopping past stop
 *         unless s > stop and s is finite:
 *           $out[n] := s; $slots[n] := $slot; n += 1
 *       $rows += $rowBytes; $slot += 1
 *     (result n))
 *
 * Both sums are the other kernel's to the bit: the same lanes, the same order.
 */
const [QUERY, ROWS, COUNT, ROW_BYTES, OUT, SLOTS, DATA_BYTES, SLOT] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
const [PROJECTED_BASE, PROJECTED_FACTOR, PROJECTED_FLOOR, STOP_BASE, STOP_FACTOR, STOP_FLOOR] = [8, 9, 10, 11, 12, 13] as const;
const [WRITTEN, OFFSET, PROJECTED_QUERY] = [14, 15, 16] as const;
const [ACC0, ACC1, ACC2, ACC3, DIFF, SCALE, BYTES] = [17, 18, 19, 20, 21, 22, 23] as const;
const [SUM, STOP] = [24, 25] as const;
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

/** limit(base, term) above, on the stack, for the row's term on the stack; SUM is its scratch. */
function rowLimit(base: number, factor: number, floor: number): number[] {
  return [
    ...op.get(base), ...op.f32Add, ...op.tee(SUM), ...op.get(SUM), ...op.f32Mul,
    ...op.get(factor), ...op.f32Mul, ...op.get(floor), ...op.f32Add,
  ];
}

/** The row's radius r, rounded up, at byte 4 of its header. */
const rowRadius = [...op.get(ROWS), ...op.f32LoadAt(4)];
/** σr + e_x of the row, rounded up, at byte 8 of its projection's header. */
const rowWidening = [...op.get(ROWS), ...op.get(DATA_BYTES), ...op.i32Add, ...op.f32LoadAt(16 + 8)];

/** The full sum of the row at ROWS, stopped at a checkpoint past STOP, on the stack. */
const fullSum = [
  ...clearAccumulators,
  ...op.get(ROWS), ...op.f32Load, ...op.f32x4Splat, ...op.set(SCALE),
  ...op.i32Const(0), ...op.set(OFFSET),
  ...op.block, ...op.loop,
  ...op.get(ROWS), ...op.get(OFFSET), ...op.i32Add, ...op.v128Load(16), ...op.set(BYTES),
  ...[0, 1, 2, 3].flatMap((part) => accumulate(part, [...op.get(QUERY), ...op.get(OFFSET), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add])),
  ...op.get(OFFSET), ...op.i32Const(16), ...op.i32Add, ...op.tee(OFFSET),
  ...op.i32Const(CHECKPOINT - 1), ...op.i32And, ...op.i32Eqz, ...op.if,
  ...sumOfLanes, ...op.get(STOP), ...op.f32Gt, ...op.brIf(2),
  ...op.end,
  ...op.get(OFFSET), ...op.get(DATA_BYTES), ...op.i32LtU, ...op.brIf(0),
  ...op.end, ...op.end,
  ...sumOfLanes,
];

export const FILTERED_TYPE = [0x60, 14, I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, 1, I32];

export const filteredBody = [
  3, 3, I32, 7, V128, 2, F32,
  ...op.get(QUERY), ...op.get(DATA_BYTES), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.set(PROJECTED_QUERY),
  ...op.block, ...op.loop,
  ...op.get(COUNT), ...op.i32Eqz, ...op.brIf(1),
  ...op.block,
  ...projectedSum, ...rowWidening, ...rowLimit(PROJECTED_BASE, PROJECTED_FACTOR, PROJECTED_FLOOR), ...op.f32Gt, ...op.brIf(0),
  ...rowRadius, ...rowLimit(STOP_BASE, STOP_FACTOR, STOP_FLOOR), ...op.set(STOP),
  ...fullSum, ...op.set(SUM),
  // A finite sum past the stop no longer matters (candidates.ts, "Stopped rows"): not written.
  ...op.get(SUM), ...op.get(STOP), ...op.f32Gt, ...op.get(SUM), ...op.f32Const(Infinity), ...op.f32Ne, ...op.i32And, ...op.brIf(0),
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
