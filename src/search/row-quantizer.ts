import { F32, F64, I32, op, V128 } from './wasm-ops.js';

/**
 * The body of the kernel's `quantize` (l2-kernel.ts): one float32 vector
 * written as an index row (row-store.ts), in WebAssembly SIMD, four values
 * a step:
 *
 *   (func (export "quantize") (param $vector i32) (param $row i32) (param $columns i32) (result f64)
 *     scale := f32.demote(f64.promote(max |x|) / 127); f32.store $row scale
 *     for every 16 values, four lanes at a time:
 *       v := nearest(x / scale) in float32 (ties to even), clamped to ±127,
 *            0 where scale is 0
 *       x' := v * scale; d := x - x'
 *       s[i mod 4] += f64(d)²
 *     the 16 values narrowed to int8 and stored at $row + 16
 *     (result ((s0 + s2) + (s1 + s3)))
 *
 * d is exact: v is x / scale's nearest integer, so x' lies within a factor
 * of 2 of x (or v is 0 and x' too), where float32 subtraction is exact
 * (Sterbenz); a float32 squared is exact in f64. Only the sum rounds, which
 * RowStore.quantize's margin covers. Columns past the vector's dimensions
 * hold zeros: they add nothing.
 */
const [VECTOR, ROW, COLUMNS, OFFSET, SCALE] = [0, 1, 2, 3, 4] as const;
const [LARGEST, SCALES, KEEP, X, VALUES, DIFF, SUM_LOW, SUM_HIGH] = [5, 6, 7, 8, 9, 10, 11, 12] as const;
const Q = [13, 14, 15, 16] as const;
const V128_LOCALS = 12;

const INT8_MAX = 127;
/** The upper 8 bytes of a vector, twice: its two high f32 lanes moved low. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/** Values 4g .. 4g + 3 of the current 16: their int8 values as i32 lanes into Q[g], their squared errors into the sums. */
function quarter(g: 0 | 1 | 2 | 3): number[] {
  return [
    ...op.get(VECTOR), ...op.get(OFFSET), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.v128Load(16 * g), ...op.tee(X),
    ...op.get(SCALES), ...op.f32x4Div, ...op.f32x4Nearest,
    ...op.f32x4Const(-INT8_MAX), ...op.f32x4Max, ...op.f32x4Const(INT8_MAX), ...op.f32x4Min, ...op.get(KEEP), ...op.v128And, ...op.tee(VALUES),
    ...op.i32x4TruncSatF32x4, ...op.set(Q[g]),
    ...op.get(X), ...op.get(VALUES), ...op.get(SCALES), ...op.f32x4Mul, ...op.f32x4Sub, ...op.tee(DIFF),
    ...op.f64x2PromoteLowF32x4, ...op.tee(X), ...op.get(X), ...op.f64x2Mul, ...op.get(SUM_LOW), ...op.f64x2Add, ...op.set(SUM_LOW),
    ...op.get(DIFF), ...op.get(DIFF), ...op.i8x16Shuffle(HIGH_HALF), ...op.f64x2PromoteLowF32x4, ...op.tee(X), ...op.get(X), ...op.f64x2Mul,
    ...op.get(SUM_HIGH), ...op.f64x2Add, ...op.set(SUM_HIGH),
  ];
}

export const QUANTIZE_TYPE = [0x60, 3, I32, I32, I32, 1, F64];

export const quantizeBody = [
  3, 1, I32, 1, F32, V128_LOCALS, V128,
  ...op.i32Const(0), ...op.set(OFFSET),
  ...op.loop,
  ...op.get(LARGEST), ...op.get(VECTOR), ...op.get(OFFSET), ...op.i32Add, ...op.v128Load(0), ...op.f32x4Abs, ...op.f32x4Max, ...op.set(LARGEST),
  ...op.get(OFFSET), ...op.i32Const(16), ...op.i32Add, ...op.tee(OFFSET), ...op.get(COLUMNS), ...op.i32Const(2), ...op.i32Shl, ...op.i32LtU, ...op.brIf(0),
  ...op.end,
  ...op.get(ROW),
  ...op.get(LARGEST), ...op.f32x4ExtractLane(0), ...op.get(LARGEST), ...op.f32x4ExtractLane(1), ...op.f32Max,
  ...op.get(LARGEST), ...op.f32x4ExtractLane(2), ...op.get(LARGEST), ...op.f32x4ExtractLane(3), ...op.f32Max, ...op.f32Max,
  ...op.f64PromoteF32, ...op.f64Const(INT8_MAX), ...op.f64Div, ...op.f32DemoteF64, ...op.tee(SCALE), ...op.f32Store,
  ...op.get(SCALE), ...op.f32x4Splat, ...op.tee(SCALES), ...op.v128Zero, ...op.f32x4Ne, ...op.set(KEEP),
  ...op.i32Const(0), ...op.set(OFFSET),
  ...op.loop,
  ...quarter(0), ...quarter(1), ...quarter(2), ...quarter(3),
  ...op.get(ROW), ...op.get(OFFSET), ...op.i32Add,
  ...op.get(Q[0]), ...op.get(Q[1]), ...op.i16x8NarrowI32x4, ...op.get(Q[2]), ...op.get(Q[3]), ...op.i16x8NarrowI32x4, ...op.i8x16NarrowI16x8,
  ...op.v128Store(16),
  ...op.get(OFFSET), ...op.i32Const(16), ...op.i32Add, ...op.tee(OFFSET), ...op.get(COLUMNS), ...op.i32LtU, ...op.brIf(0),
  ...op.end,
  ...op.get(SUM_LOW), ...op.get(SUM_HIGH), ...op.f64x2Add, ...op.tee(DIFF), ...op.f64x2ExtractLane(0), ...op.get(DIFF), ...op.f64x2ExtractLane(1), ...op.f64Add,
  ...op.end,
];
