/**
 * Squared L2 distances from one query to many rows, in WebAssembly SIMD.
 *
 * squaredDistances takes float32 rows: four f32x4 accumulators take 16
 * floats a step, bound by memory bandwidth. It is the scan the index used
 * before it held int8 rows, kept as the baseline bench/serving-scale.ts
 * measures against.
 *
 * quantizedSquaredDistances takes the index's rows (vector-table.ts): a
 * float32 scale, 12 bytes it does not read, then int8 values. Each value is
 * widened to float32 (exactly: |q| ≤ 127) and multiplied by the scale, one
 * IEEE rounding, so the kernel sees x' = fround(q·scale) exactly as the
 * table computes it in JavaScript; the distance to the float32 query is then
 * the same float32 sum of squared differences, 16 values a step.
 *
 * quantize writes a vector as such a row (row-quantizer.ts has its body).
 *
 * The functions are written out in the instructions of wasm-ops.ts. In the
 * text format the first reads:
 *
 *   (func (export "squaredDistances")
 *     (param $query i32) (param $rows i32) (param $count i32) (param $rowBytes i32) (param $out i32)
 *     (local $offset i32) (local $acc0 $acc1 $acc2 $acc3 $diff v128)
 *     (block (loop                                   ;; for each row
 *       (br_if 1 (i32.eqz (local.get $count)))
 *       acc0..acc3 := 0, offset := 0
 *       (loop                                        ;; 64 bytes a step
 *         acc_i += (row[offset + 16i] - query[offset + 16i])^2, i = 0..3
 *         (br_if 0 (i32.lt_u (offset += 64) $rowBytes)))
 *       (f32.store $out (sum of the 16 lanes of acc0..acc3))
 *       out += 4, rows += rowBytes, count -= 1
 *       (br 0)))
 *
 * and the second, with (param $dataBytes i32) (param $threshold f32) after
 * $out and locals $scale, $bytes, differs in the row loop:
 *
 *       scale := f32x4.splat(f32.load $rows)
 *       (block (loop                                 ;; 16 int8 values a step
 *         bytes := v128.load(rows + 16 + offset)
 *         acc_i += (f32(widen_i(bytes)) * scale - query[4 offset + 16i])^2, i = 0..3
 *         offset += 16
 *         (if (i32.eqz (i32.and offset 127))         ;; every 128 values
 *           (br_if 2 (f32.gt (sum of the lanes) $threshold)))
 *         (br_if 0 (i32.lt_u offset $dataBytes))))
 */
import { filteredBody, FILTERED_TYPE } from './block-kernel.js';
import { accumulateQuantized, sumOfLanes } from './kernel-parts.js';
import { quantizeBody, QUANTIZE_TYPE } from './row-quantizer.js';
import { F32, I32, kernelModuleBytes, leb128, op, V128 } from './wasm-ops.js';

/** Node's WebAssembly global, as far as used here: @types/node leaves it undeclared (TypeScript declares it in lib.dom). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Memory: {
    new (descriptor: { initial: number; maximum: number; shared: true }): WasmMemory;
    new (descriptor: { initial: number }): { readonly buffer: ArrayBuffer };
  };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}

export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export interface L2Kernel {
  /** Byte addresses in `memory`: `count` float32 rows of `rowBytes` (a multiple of 64) each; writes `count` float32s at `out`. */
  squaredDistances(query: number, rows: number, count: number, rowBytes: number, out: number): void;
  /**
   * `count` quantized rows of `rowBytes` each, `dataBytes` (a multiple of 16)
   * int8 values after a 16-byte header; the query holds `dataBytes` float32s.
   * A row whose partial sum passes `threshold` at a checkpoint stops there
   * and gets that partial sum, which is past the threshold and at most the
   * full sum: accumulators of non-negative terms only grow, and rounded
   * addition is monotone.
   */
  quantizedSquaredDistances(query: number, rows: number, count: number, rowBytes: number, out: number, dataBytes: number, threshold: number): void;
  /**
   * Writes the float32 vector at `vector` (`columns` values, a multiple of
   * 16, zeros past its dimensions) as the row at `row` (row-quantizer.ts)
   * and returns the sum of its squared rounding errors.
   */
  quantize(vector: number, row: number, columns: number): number;
  /**
   * quantizedSquaredDistances of the rows whose projected sum is at most
   * their projected limit and whose sum is not a finite one past their stop,
   * each limit worked out per row from the base, factor and floor given and
   * the row's own terms (block-kernel.ts), the query at 0: writes each kept
   * row's sum at `out` and its slot, `slot` for the first row, at `slots`;
   * returns how many it kept.
   */
  filteredSquaredDistances(
    query: number, rows: number, count: number, rowBytes: number, out: number, slots: number, dataBytes: number, slot: number,
    projectedBase: number, projectedFactor: number, projectedFloor: number,
    stopBase: number, stopFactor: number, stopFloor: number,
  ): number;
}

export const KERNEL_STEP_BYTES = 64;
export const PAGE_BYTES = 65_536;
/** WebAssembly's 32-bit address space: 4 GiB. */
export const MAX_PAGES = 65_536;
/** int8 values a step of the quantized kernel, and the size of a quantized row's header. */
export const QUANTIZED_STEP = 16;
/** int8 values between two checks of a row's partial sum against the threshold. */
const CHECKPOINT = 128;

export function createL2Kernel(memory: WasmMemory): L2Kernel {
  return new webAssembly.Instance(MODULE, { env: { memory } }).exports as L2Kernel;
}

const [QUERY, ROWS, COUNT, ROW_BYTES, OUT, OFFSET, ACC0, ACC1, ACC2, ACC3, DIFF] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
/** acc += (row[offset + bytes] - query[offset + bytes])^2, lane by lane. */
function accumulate(acc: number, bytes: number): number[] {
  return [
    ...op.get(ROWS), ...op.get(OFFSET), ...op.i32Add, ...op.v128Load(bytes),
    ...op.get(QUERY), ...op.get(OFFSET), ...op.i32Add, ...op.v128Load(bytes),
    ...op.f32x4Sub, ...op.tee(DIFF), ...op.get(DIFF), ...op.f32x4Mul,
    ...op.get(acc), ...op.f32x4Add, ...op.set(acc),
  ];
}

const body = [
  2, 1, I32, 5, V128,
  ...op.block, ...op.loop,
  ...op.get(COUNT), ...op.i32Eqz, ...op.brIf(1),
  ...[ACC0, ACC1, ACC2, ACC3].flatMap((acc) => [...op.v128Zero, ...op.set(acc)]),
  ...op.i32Const(0), ...op.set(OFFSET),
  ...op.loop,
  ...accumulate(ACC0, 0), ...accumulate(ACC1, 16), ...accumulate(ACC2, 32), ...accumulate(ACC3, 48),
  ...op.get(OFFSET), ...op.i32Const(KERNEL_STEP_BYTES), ...op.i32Add, ...op.tee(OFFSET), ...op.get(ROW_BYTES), ...op.i32LtU, ...op.brIf(0),
  ...op.end,
  ...op.get(OUT), ...sumOfLanes([ACC0, ACC1, ACC2, ACC3], DIFF), ...op.f32Store,
  ...op.get(OUT), ...op.i32Const(4), ...op.i32Add, ...op.set(OUT),
  ...op.get(ROWS), ...op.get(ROW_BYTES), ...op.i32Add, ...op.set(ROWS),
  ...op.get(COUNT), ...op.i32Const(1), ...op.i32Sub, ...op.set(COUNT),
  ...op.br(0),
  ...op.end, ...op.end, ...op.end,
];

const [DATA_BYTES, THRESHOLD, Q_OFFSET, Q_ACC0, Q_ACC1, Q_ACC2, Q_ACC3, Q_DIFF, Q_SCALE, Q_BYTES] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] as const;

/** acc += (f32(values 4·part .. 4·part + 3 of the 16) * scale - query[4 offset + 16 part])^2. */
function accumulateQuantizedRow(acc: number, part: number): number[] {
  return accumulateQuantized(acc, part, { bytes: Q_BYTES, scale: Q_SCALE, diff: Q_DIFF }, [...op.get(QUERY), ...op.get(Q_OFFSET), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add]);
}

const quantizedSumOfLanes = sumOfLanes([Q_ACC0, Q_ACC1, Q_ACC2, Q_ACC3], Q_DIFF);

const quantizedBody = [
  2, 1, I32, 7, V128,
  ...op.block, ...op.loop,
  ...op.get(COUNT), ...op.i32Eqz, ...op.brIf(1),
  ...[Q_ACC0, Q_ACC1, Q_ACC2, Q_ACC3].flatMap((acc) => [...op.v128Zero, ...op.set(acc)]),
  ...op.get(ROWS), ...op.f32Load, ...op.f32x4Splat, ...op.set(Q_SCALE),
  ...op.i32Const(0), ...op.set(Q_OFFSET),
  ...op.block, ...op.loop,
  ...op.get(ROWS), ...op.get(Q_OFFSET), ...op.i32Add, ...op.v128Load(QUANTIZED_STEP), ...op.set(Q_BYTES),
  ...accumulateQuantizedRow(Q_ACC0, 0), ...accumulateQuantizedRow(Q_ACC1, 1), ...accumulateQuantizedRow(Q_ACC2, 2), ...accumulateQuantizedRow(Q_ACC3, 3),
  ...op.get(Q_OFFSET), ...op.i32Const(QUANTIZED_STEP), ...op.i32Add, ...op.tee(Q_OFFSET),
  ...op.i32Const(CHECKPOINT - 1), ...op.i32And, ...op.i32Eqz, ...op.if,
  ...quantizedSumOfLanes, ...op.get(THRESHOLD), ...op.f32Gt, ...op.brIf(2),
  ...op.end,
  ...op.get(Q_OFFSET), ...op.get(DATA_BYTES), ...op.i32LtU, ...op.brIf(0),
  ...op.end, ...op.end,
  ...op.get(OUT), ...quantizedSumOfLanes, ...op.f32Store,
  ...op.get(OUT), ...op.i32Const(4), ...op.i32Add, ...op.set(OUT),
  ...op.get(ROWS), ...op.get(ROW_BYTES), ...op.i32Add, ...op.set(ROWS),
  ...op.get(COUNT), ...op.i32Const(1), ...op.i32Sub, ...op.set(COUNT),
  ...op.br(0),
  ...op.end, ...op.end, ...op.end,
];

const MODULE = new webAssembly.Module(
  // A shared memory (limits flag 3) of at most 4 GiB: a scan helper thread reads the rows in place (scan-helper.ts).
  kernelModuleBytes([0x03, 0x00, ...leb128(MAX_PAGES)], [
    { name: 'squaredDistances', type: [0x60, 5, I32, I32, I32, I32, I32, 0], body },
    { name: 'quantizedSquaredDistances', type: [0x60, 7, I32, I32, I32, I32, I32, I32, F32, 0], body: quantizedBody },
    { name: 'quantize', type: QUANTIZE_TYPE, body: quantizeBody },
    { name: 'filteredSquaredDistances', type: FILTERED_TYPE, body: filteredBody },
  ]),
);
