import type { LimitConstants } from '../../src/search/block-scan.js';

/** A row's limit as the block kernel computes it (block-kernel.ts): float32 operations, each one `Math.fround` of the exact double result. */
export function kernelLimit(base: number, term: number, { factor, floor }: LimitConstants): number {
  const b = Math.fround(base + term);
  return Math.fround(Math.fround(Math.fround(b * b) * factor) + floor);
}
