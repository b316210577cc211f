import { op } from './wasm-ops.js';

// Sequences of instructions more than one kernel is written with
// (l2-kernel.ts, block-kernel.ts): the same sums, so the same bits.

/** (acc0 + acc1) + (acc2 + acc3), its lanes summed pairwise: one f32, through the scratch local. */
export function sumOfLanes([acc0, acc1, acc2, acc3]: readonly number[], scratch: number): number[] {
  return [
    ...op.get(acc0!), ...op.get(acc1!), ...op.f32x4Add, ...op.get(acc2!), ...op.get(acc3!), ...op.f32x4Add, ...op.f32x4Add, ...op.tee(scratch),
    ...op.f32x4ExtractLane(0), ...op.get(scratch), ...op.f32x4ExtractLane(1), ...op.f32Add,
    ...op.get(scratch), ...op.f32x4ExtractLane(2), ...op.get(scratch), ...op.f32x4ExtractLane(3), ...op.f32Add, ...op.f32Add,
  ];
}

/** The locals a quantized sum works in: 16 int8 values, the row's scale splat, a scratch vector. */
export interface QuantizedLocals {
  bytes: number;
  scale: number;
  diff: number;
}

/**
 * acc += (f32(values 4·part .. 4·part + 3 of the 16) · scale − the query's
 * four floats at `queryAddress` + 16·part)², lane by lane.
 */
export function accumulateQuantized(acc: number, part: number, { bytes, scale, diff }: QuantizedLocals, queryAddress: readonly number[]): number[] {
  return [
    ...op.get(bytes), ...op.i16x8ExtendI8x16(part >= 2), ...op.i32x4ExtendI16x8(part % 2 === 1), ...op.f32x4ConvertI32x4,
    ...op.get(scale), ...op.f32x4Mul,
    ...queryAddress, ...op.v128Load(16 * part),
    ...op.f32x4Sub, ...op.tee(diff), ...op.get(diff), ...op.f32x4Mul,
    ...op.get(acc), ...op.f32x4Add, ...op.set(acc),
  ];
}
