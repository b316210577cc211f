/**
 * The few WebAssembly instructions the kernels (l2-kernel.ts,
 * row-quantizer.ts, block-kernel.ts, box-kernel.ts) are written in, as bytes: the kernels are short enough
 * to write out here, so nothing needs a WebAssembly toolchain. Opcodes are
 * the core specification's; SIMD ones follow the 0xfd prefix as LEB128.
 */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

const simd = (code: number) => [0xfd, ...leb128(code)];

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  tee: (local: number) => [0x22, local],
  i32Const: (value: number) => [0x41, ...signedLeb128(value)],
  f32Const: (value: number) => [0x43, ...new Uint8Array(Float32Array.of(value).buffer)],
  f64Const: (value: number) => [0x44, ...new Uint8Array(Float64Array.of(value).buffer)],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  f32Ne: [0x5c],
  f32Gt: [0x5e],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32And: [0x71],
  i32Shl: [0x74],
  f32Add: [0x92],
  f32Mul: [0x94],
  f32Max: [0x97],
  f64Add: [0xa0],
  f64Div: [0xa3],
  f32DemoteF64: [0xb6],
  f64PromoteF32: [0xbb],
  f32Load: [0x2a, 2, 0],
  f32LoadAt: (offset: number) => [0x2a, 2, ...leb128(offset)],
  i32Store: [0x36, 2, 0],
  f32Store: [0x38, 2, 0],
  f64Store: [0x39, 3, 0],
  v128Load: (offset: number) => [...simd(0x00), 4, ...leb128(offset)],
  v128Store: (offset: number) => [...simd(0x0b), 4, ...leb128(offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Const: (value: number) => [...simd(0x0c), ...new Uint8Array(Float32Array.of(value, value, value, value).buffer)],
  /** Lanes 0-15 pick bytes of the first operand, 16-31 of the second. */
  i8x16Shuffle: (lanes: readonly number[]) => [...simd(0x0d), ...lanes],
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f64x2ExtractLane: (lane: number) => [...simd(0x21), lane],
  f32x4Ne: simd(0x42),
  v128And: simd(0x4e),
  f64x2PromoteLowF32x4: simd(0x5f),
  i8x16NarrowI16x8: simd(0x65),
  f32x4Nearest: simd(0x6a),
  i16x8NarrowI32x4: simd(0x85),
  i16x8ExtendI8x16: (high: boolean) => simd(high ? 0x88 : 0x87),
  i32x4ExtendI16x8: (high: boolean) => simd(high ? 0xa8 : 0xa7),
  f32x4Abs: simd(0xe0),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Max: simd(0xf5),
  i32x4TruncSatF32x4: simd(0xf8),
  f32x4ConvertI32x4: simd(0xfa),
};

/** A kernel's function: its export name, its type (0x60, params, results) and its body (locals, then code). */
export interface KernelFunction {
  name: string;
  type: readonly number[];
  body: readonly number[];
}

/**
 * A module of the given functions, each exported by its name and with a type
 * of its own, over one memory imported as env.memory with `memoryLimits`
 * (the limits' flag and sizes, as the binary format writes them).
 */
export function kernelModuleBytes(memoryLimits: readonly number[], functions: readonly KernelFunction[]): Uint8Array {
  const count = functions.length;
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [count, ...functions.flatMap((f) => f.type)]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...memoryLimits]),
    ...section(3, [count, ...functions.map((_, index) => index)]),
    ...section(7, [count, ...functions.flatMap((f, index) => [...name(f.name), 0x00, index])]),
    ...section(10, [count, ...functions.flatMap((f) => [...leb128(f.body.length), ...f.body])]),
  ]);
}

export function section(id: number, bytes: number[]): number[] {
  return [id, ...leb128(bytes.length), ...bytes];
}

export function name(text: string): number[] {
  return [text.length, ...Buffer.from(text, 'ascii')];
}

export function leb128(value: number): number[] {
  const bytes: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    bytes.push(value === 0 ? byte : byte | 0x80);
  } while (value !== 0);
  return bytes;
}

function signedLeb128(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte];
    bytes.push(byte | 0x80);
  }
}
