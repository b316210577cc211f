import { PAGE_BYTES, webAssembly } from './l2-kernel.js';
import { PROJECTED } from './projection.js';
import { I32, kernelModuleBytes, op, V128 } from './wasm-ops.js';

/**
 * The squared distance from a query's projected coordinates to every
 * block's box (partition.ts), in WebAssembly SIMD: at a million rows the
 * same loop in JavaScript took ~0.85 ms a query (2,843 boxes of 32
 * coordinates), before the first block could be read. In the text format:
 *
 *   (func (export "boxGaps")
 *     (param $query i32) (param $low i32) (param $high i32) (param $boxes i32) (param $out i32)
 *     (block (loop                                   ;; for each box
 *       (br_if 1 (i32.eqz (local.get $boxes)))
 *       acc_i := Σ over parts p ≡ i (mod 4) of gap_p · gap_p, where for coordinates 2p, 2p + 1
 *         gap_p := f64x2.max(f64x2.max(low[p] − query[p], query[p] − high[p]), 0)
 *       (f64.store $out (sum of the lanes of (acc0 + acc1) + (acc2 + acc3)))
 *       low += 256, high += 256, out += 8, boxes -= 1
 *       (br 0)))
 *
 * Every value is a float32 held in double, so each difference is exact, as
 * in JavaScript; only the order of the 32 additions differs, which the
 * bound's margin covers (boxBound). f64x2.max returns NaN if either side
 * is: a coordinate or query that is not finite gives NaN, never a gap
 * smaller than the box's.
 */
const [QUERY, LOW, HIGH, BOXES, OUT] = [0, 1, 2, 3, 4] as const;
const [ACC0, ACC1, ACC2, ACC3, Y, GAP] = [5, 6, 7, 8, 9, 10] as const;
const ACCUMULATORS = [ACC0, ACC1, ACC2, ACC3] as const;
/** Bytes of one box's `low` (or `high`): PROJECTED doubles. */
const BOX_BYTES = PROJECTED * 8;

/** acc += gap² of coordinates 2·part, 2·part + 1. */
function accumulate(part: number): number[] {
  const acc = ACCUMULATORS[part % ACCUMULATORS.length]!;
  return [
    ...op.get(QUERY), ...op.v128Load(16 * part), ...op.set(Y),
    ...op.get(LOW), ...op.v128Load(16 * part), ...op.get(Y), ...op.f64x2Sub,
    ...op.get(Y), ...op.get(HIGH), ...op.v128Load(16 * part), ...op.f64x2Sub,
    ...op.f64x2Max, ...op.v128Zero, ...op.f64x2Max, ...op.tee(GAP), ...op.get(GAP), ...op.f64x2Mul,
    ...op.get(acc), ...op.f64x2Add, ...op.set(acc),
  ];
}

const body = [
  1, 6, V128,
  ...op.block, ...op.loop,
  ...op.get(BOXES), ...op.i32Eqz, ...op.brIf(1),
  ...ACCUMULATORS.flatMap((acc) => [...op.v128Zero, ...op.set(acc)]),
  ...Array.from({ length: PROJECTED / 2 }, (_, part) => accumulate(part)).flat(),
  ...op.get(OUT),
  ...op.get(ACC0), ...op.get(ACC1), ...op.f64x2Add, ...op.get(ACC2), ...op.get(ACC3), ...op.f64x2Add, ...op.f64x2Add, ...op.tee(Y),
  ...op.f64x2ExtractLane(0), ...op.get(Y), ...op.f64x2ExtractLane(1), ...op.f64Add,
  ...op.f64Store,
  ...op.get(LOW), ...op.i32Const(BOX_BYTES), ...op.i32Add, ...op.set(LOW),
  ...op.get(HIGH), ...op.i32Const(BOX_BYTES), ...op.i32Add, ...op.set(HIGH),
  ...op.get(OUT), ...op.i32Const(8), ...op.i32Add, ...op.set(OUT),
  ...op.get(BOXES), ...op.i32Const(1), ...op.i32Sub, ...op.set(BOXES),
  ...op.br(0),
  ...op.end, ...op.end, ...op.end,
];

// An ordinary memory of its own (limits flag 0): only the event loop reads the boxes.
const MODULE = new webAssembly.Module(kernelModuleBytes([0x00, 0x00], [{ name: 'boxGaps', type: [0x60, 5, I32, I32, I32, I32, I32, 0], body }]));

interface BoxKernel {
  boxGaps(query: number, low: number, high: number, boxes: number, out: number): void;
}


/**
 * The boxes of a partition's blocks in WebAssembly memory: `low` and
 * `high` (block·PROJECTED + j, as Partition reads them) are views on it,
 * so a box widened in place is what the next query measures.
 */
export class Boxes {
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly #query: Float64Array;
  readonly #gaps: Float64Array;
  readonly #kernel: BoxKernel;

  constructor(readonly count: number) {
    const queryAt = 0;
    const lowAt = BOX_BYTES;
    const highAt = lowAt + count * BOX_BYTES;
    const gapsAt = highAt + count * BOX_BYTES;
    const pages = Math.ceil((gapsAt + count * 8) / PAGE_BYTES) || 1;
    const memory = new webAssembly.Memory({ initial: pages });
    this.#kernel = new webAssembly.Instance(MODULE, { env: { memory } }).exports as BoxKernel;
    this.#query = new Float64Array(memory.buffer, queryAt, PROJECTED);
    this.low = new Float64Array(memory.buffer, lowAt, count * PROJECTED);
    this.high = new Float64Array(memory.buffer, highAt, count * PROJECTED);
    this.#gaps = new Float64Array(memory.buffer, gapsAt, count);
  }

  /** Σ_j max(low − y, y − high, 0)² per box, summed in double: a view valid until the next call. */
  gaps(projected: Float32Array): Float64Array {
    this.#query.set(projected);
    this.#kernel.boxGaps(this.#query.byteOffset, this.low.byteOffset, this.high.byteOffset, this.count, this.#gaps.byteOffset);
    return this.#gaps;
  }
}
