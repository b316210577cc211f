import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rowLimitConstants } from '../../src/search/block-scan.js';
import { MARGIN, rounding } from '../../src/search/float-bounds.js';
import { createL2Kernel, QUANTIZED_STEP, webAssembly } from '../../src/search/l2-kernel.js';
import { PROJECTED } from '../../src/search/projection.js';
import { seededRandom } from '../../harness/vectors.js';
import { kernelLimit } from './row-limit.js';

const COLUMNS = 512;
/** A row as vector-table.ts lays it out: scale, radius, padding, int8 values; then the projection's scale, slack, widening, padding and int8 coordinates. */
const ROW_BYTES = QUANTIZED_STEP + COLUMNS + QUANTIZED_STEP + PROJECTED;
const ROWS = 300;

/**
 * A query and ROWS random rows in one memory, with room for both kernels'
 * output. Each row's radius (byte 4 of its header) and widening (byte 8 of
 * its projection's) are drawn up to `terms`.
 */
function block(seed: number, terms = 0) {
  const random = seededRandom(seed);
  const memory = new webAssembly.Memory({ initial: 8, maximum: 8, shared: true });
  const kernel = createL2Kernel(memory);
  const floats = new Float32Array(memory.buffer);
  const bytes = new Int8Array(memory.buffer);
  for (let i = 0; i < COLUMNS + PROJECTED; i++) floats[i] = (random() * 2 - 1) * 50;
  const rowsAt = (COLUMNS + PROJECTED) * 4;
  const radii: number[] = [];
  const widenings: number[] = [];
  for (let row = 0; row < ROWS; row++) {
    const at = rowsAt + row * ROW_BYTES;
    floats[at / 4] = random() * 0.5;
    floats[at / 4 + 1] = radii[row] = Math.fround(random() * terms);
    for (let i = 0; i < COLUMNS; i++) bytes[at + QUANTIZED_STEP + i] = Math.round(random() * 254 - 127);
    const projection = at + QUANTIZED_STEP + COLUMNS;
    floats[projection / 4] = random() * 0.5;
    floats[projection / 4 + 2] = widenings[row] = Math.fround(random() * terms);
    for (let i = 0; i < PROJECTED; i++) bytes[projection + QUANTIZED_STEP + i] = Math.round(random() * 254 - 127);
  }
  const out = rowsAt + ROWS * ROW_BYTES;
  const scratch = out + 2 * ROWS * 4;
  const projectionAt = rowsAt + QUANTIZED_STEP + COLUMNS;
  kernel.quantizedSquaredDistances(COLUMNS * 4, projectionAt, ROWS, ROW_BYTES, scratch, PROJECTED, Infinity);
  const projected = Array.from(floats.subarray(scratch / 4, scratch / 4 + ROWS));
  /** The row's sum as quantizedSquaredDistances gives it, stopping past `stop`. */
  const fullSum = (row: number, stop: number) => {
    kernel.quantizedSquaredDistances(0, rowsAt + row * ROW_BYTES, 1, ROW_BYTES, scratch, COLUMNS, stop);
    return floats[scratch / 4]!;
  };
  return { kernel, floats, memory, rowsAt, out, slots: out + ROWS * 4, radii, widenings, projected, fullSum };
}

const PROJECTED_CONSTANTS = rowLimitConstants(PROJECTED);
const FULL_CONSTANTS = rowLimitConstants(COLUMNS);

describe('filteredSquaredDistances', () => {
  for (const [baseQuantile, stopBase] of [
    [0.3, Infinity],
    [0.7, Infinity],
    [0.5, 1000],
    [1, Infinity],
    [0, Infinity],
  ] as const) {
    test(`keeps the rows whose projected sum is at most their own limit and whose full sum is not past their own stop, each with the full sum quantizedSquaredDistances gives (projected base at quantile ${baseQuantile}, stop base ${stopBase})`, () => {
      const terms = 40;
      const { kernel, floats, memory, rowsAt, out, slots, radii, widenings, projected, fullSum } = block(Math.round(baseQuantile * 10) + (stopBase === Infinity ? 0 : 100), terms);
      const sorted = projected.map(Math.sqrt).sort((a, b) => a - b);
      const projectedBase = baseQuantile === 0 ? 0 : Math.fround(sorted[Math.min(ROWS - 1, Math.floor(baseQuantile * ROWS))]! - terms / 2);

      const kept = kernel.filteredSquaredDistances(0, rowsAt, ROWS, ROW_BYTES, out, slots, COLUMNS, 1000, projectedBase, PROJECTED_CONSTANTS.factor, PROJECTED_CONSTANTS.floor, stopBase, FULL_CONSTANTS.factor, FULL_CONSTANTS.floor);

      const limit = (row: number) => kernelLimit(projectedBase, widenings[row]!, PROJECTED_CONSTANTS);
      const stop = (row: number) => kernelLimit(stopBase, radii[row]!, FULL_CONSTANTS);
      const expected = projected.flatMap((sum, row) => (sum <= limit(row) && !(fullSum(row, stop(row)) > stop(row)) ? [row] : []));
      assert.deepEqual(Array.from(new Int32Array(memory.buffer, slots, kept)), expected.map((row) => 1000 + row));
      assert.deepEqual(Array.from(floats.subarray(out / 4, out / 4 + kept)), expected.map((row) => fullSum(row, stop(row))));
      // The rows' own terms decide: some rows fall on either side of a limit without them.
      if (baseQuantile > 0 && baseQuantile < 1) {
        const widened = projected.filter((sum, row) => sum <= limit(row) && sum > kernelLimit(projectedBase, 0, PROJECTED_CONSTANTS)).length;
        assert.ok(widened > 0, 'no row is kept by its own widening alone: the test does not see it');
      }
      if (stopBase !== Infinity) {
        const pastTheirStop = projected.filter((sum, row) => sum <= limit(row) && fullSum(row, stop(row)) > stop(row)).length;
        const keptByRadius = projected.filter((sum, row) => sum <= limit(row) && !(fullSum(row, stop(row)) > stop(row)) && fullSum(row, Infinity) > kernelLimit(stopBase, 0, FULL_CONSTANTS)).length;
        assert.ok(pastTheirStop > 0 && keptByRadius > 0 && expected.length > 0, `${pastTheirStop} rows past their stop, ${keptByRadius} within it by their radius alone, ${expected.length} kept: the stop tests nothing`);
      }
    });
  }

  test("keeps a row whose sum overflows to Infinity, whatever its stop: such a sum bounds nothing", () => {
    const { kernel, floats, memory, rowsAt, out, slots } = block(7);
    for (let i = 0; i < 8; i++) floats[i] = 3e38;
    const kept = kernel.filteredSquaredDistances(0, rowsAt, ROWS, ROW_BYTES, out, slots, COLUMNS, 0, 1e19, PROJECTED_CONSTANTS.factor, PROJECTED_CONSTANTS.floor, 1000, FULL_CONSTANTS.factor, FULL_CONSTANTS.floor);
    assert.equal(kept, ROWS);
    assert.ok(Array.from(floats.subarray(out / 4, out / 4 + kept)).every((sum) => sum === Infinity));
    assert.deepEqual(Array.from(new Int32Array(memory.buffer, slots, 3)), [0, 1, 2]);
  });
});

describe("a row's limit in the kernel", () => {
  test('is at least the bound it stands for, ((1 + γ)(base + term)² + A)(1 + 2^-40) in double, down to subnormal bases and terms', () => {
    const random = seededRandom(9);
    for (const terms of [PROJECTED, COLUMNS]) {
      const constants = rowLimitConstants(terms);
      const { gamma, absolute } = rounding(terms);
      for (let i = 0; i < 20_000; i++) {
        // Magnitudes from 2^-140 to 2^60: subnormal squares, ordinary ones, and near float32's largest.
        const magnitude = () => Math.fround(random() * 2 ** Math.floor(random() * 200 - 140));
        const [base, term] = [magnitude(), magnitude()];
        const bound = ((1 + gamma) * (base + term) ** 2 + absolute) * (1 + MARGIN);
        assert.ok(kernelLimit(base, term, constants) >= bound, `base ${base}, term ${term}: ${kernelLimit(base, term, constants)} below ${bound}`);
      }
      assert.equal(kernelLimit(Infinity, 1, constants), Infinity);
      assert.equal(kernelLimit(1, Infinity, constants), Infinity);
    }
  });
});
