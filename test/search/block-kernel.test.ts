import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createL2Kernel, QUANTIZED_STEP, webAssembly } from '../../src/search/l2-kernel.js';
import { PROJECTED } from '../../src/search/projection.js';
import { seededRandom } from '../../harness/vectors.js';

const COLUMNS = 512;
/** A row as vector-table.ts lays it out: scale, padding, int8 values; then the projection's scale, slack, padding and int8 coordinates. */
const ROW_BYTES = QUANTIZED_STEP + COLUMNS + QUANTIZED_STEP + PROJECTED;
const ROWS = 300;

/** A query and ROWS random rows in one memory, with room for both kernels' output. */
function block(seed: number) {
  const random = seededRandom(seed);
  const memory = new webAssembly.Memory({ initial: 8, maximum: 8, shared: true });
  const kernel = createL2Kernel(memory);
  const floats = new Float32Array(memory.buffer);
  const bytes = new Int8Array(memory.buffer);
  for (let i = 0; i < COLUMNS + PROJECTED; i++) floats[i] = (random() * 2 - 1) * 50;
  const rowsAt = (COLUMNS + PROJECTED) * 4;
  for (let row = 0; row < ROWS; row++) {
    const at = rowsAt + row * ROW_BYTES;
    floats[at / 4] = random() * 0.5;
    for (let i = 0; i < COLUMNS; i++) bytes[at + QUANTIZED_STEP + i] = Math.round(random() * 254 - 127);
    const projection = at + QUANTIZED_STEP + COLUMNS;
    floats[projection / 4] = random() * 0.5;
    for (let i = 0; i < PROJECTED; i++) bytes[projection + QUANTIZED_STEP + i] = Math.round(random() * 254 - 127);
  }
  const out = rowsAt + ROWS * ROW_BYTES;
  return { kernel, floats, memory, rowsAt, out, slots: out + ROWS * 4, scratch: out + 2 * ROWS * 4 };
}

describe('filteredSquaredDistances', () => {
  for (const [limitQuantile, threshold] of [
    [0.3, Infinity],
    [0.7, Infinity],
    [0.5, 1e6],
    [1, Infinity],
    [0, Infinity],
  ] as const) {
    test(`keeps the rows whose projected sum is at most the limit and whose full sum is not past the stop, each with the full sum quantizedSquaredDistances gives (limit at quantile ${limitQuantile}, threshold ${threshold})`, () => {
      const { kernel, floats, memory, rowsAt, out, slots, scratch } = block(Math.round(limitQuantile * 10) + (threshold === Infinity ? 0 : 100));
      const projectionAt = rowsAt + QUANTIZED_STEP + COLUMNS;
      kernel.quantizedSquaredDistances(COLUMNS * 4, projectionAt, ROWS, ROW_BYTES, scratch, PROJECTED, Infinity);
      const projected = Array.from(floats.subarray(scratch / 4, scratch / 4 + ROWS));
      kernel.quantizedSquaredDistances(0, rowsAt, ROWS, ROW_BYTES, scratch, COLUMNS, threshold);
      const full = Array.from(floats.subarray(scratch / 4, scratch / 4 + ROWS));
      const sorted = [...projected].sort((a, b) => a - b);
      const limit = limitQuantile === 0 ? sorted[0]! / 2 : sorted[Math.min(ROWS - 1, Math.floor(limitQuantile * ROWS))]!;

      const kept = kernel.filteredSquaredDistances(0, rowsAt, ROWS, ROW_BYTES, out, slots, COLUMNS, threshold, limit, 1000);

      const expected = projected.flatMap((sum, row) => (sum <= limit && !(full[row]! > threshold) ? [row] : []));
      assert.deepEqual(Array.from(new Int32Array(memory.buffer, slots, kept)), expected.map((row) => 1000 + row));
      assert.deepEqual(Array.from(floats.subarray(out / 4, out / 4 + kept)), expected.map((row) => full[row]!));
      if (threshold !== Infinity) {
        const pastTheStop = projected.filter((sum, row) => sum <= limit && full[row]! > threshold).length;
        assert.ok(pastTheStop > 0 && expected.length > 0, `${pastTheStop} rows past the stop, ${expected.length} kept: the threshold tests nothing`);
      }
    });
  }

  test('keeps a row whose sum overflows to Infinity, whatever the stop: such a sum bounds nothing', () => {
    const { kernel, floats, memory, rowsAt, out, slots } = block(7);
    for (let i = 0; i < 8; i++) floats[i] = 3e38;
    const kept = kernel.filteredSquaredDistances(0, rowsAt, ROWS, ROW_BYTES, out, slots, COLUMNS, 1e6, 3e38, 0);
    assert.equal(kept, ROWS);
    assert.ok(Array.from(floats.subarray(out / 4, out / 4 + kept)).every((sum) => sum === Infinity));
    assert.deepEqual(Array.from(new Int32Array(memory.buffer, slots, 3)), [0, 1, 2]);
  });
});
