import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrixRows, toMatrix } from '../../../src/ml/head/matrix.js';
import { StandardScaler } from '../../../src/ml/head/standard-scaler.js';

const rows = [
  Float32Array.of(1, 10, 5, -2),
  Float32Array.of(2, 20, 5, 0),
  Float32Array.of(3, 60, 5, 2),
  Float32Array.of(6, 30, 5, 4),
];

test('fits the mean and the population standard deviation (ddof 0) of each column', () => {
  const scaler = StandardScaler.fit(rows);
  // Column 0: mean 3, deviations -2 -1 0 3, variance 14/4; column 1: mean 30, variance (400+100+900+0)/4.
  assert.deepEqual(Array.from(scaler.mean), [3, 30, 5, 1]);
  const expected = [Math.sqrt(14 / 4), Math.sqrt(1400 / 4), 1, Math.sqrt(20 / 4)];
  scaler.scale.forEach((scale, j) => assert.ok(Math.abs(scale - expected[j]!) < 1e-6 * expected[j]!, `column ${j}`));
});

test('a constant column gets scale 1 and standardizes to zeros', () => {
  // 0.1 is not exact in binary, so its mean can differ from it by a rounding error.
  const scaler = StandardScaler.fit(Array.from({ length: 7 }, () => Float32Array.of(0.1, 0)));
  assert.deepEqual(Array.from(scaler.scale), [1, 1]);
  assert.deepEqual(Array.from(scaler.transformRows([Float32Array.of(0.1, 0)])[0]!), [0, 0]);
});

test('transforms as (x - mean) / scale, from rows or a matrix alike, leaving the input as it was', () => {
  const scaler = StandardScaler.fit(toMatrix(rows));
  const before = rows.map((row) => row.slice());
  const fromRows = scaler.transform(rows);
  assert.deepEqual(scaler.transform(toMatrix(rows)), fromRows);
  assert.deepEqual(rows, before);
  matrixRows(fromRows).forEach((row, i) => {
    row.forEach((value, j) => {
      const expected = (rows[i]![j]! - scaler.mean[j]!) / scaler.scale[j]!;
      assert.ok(Math.abs(value - expected) < 1e-6, `row ${i} column ${j}`);
    });
  });
  // Standardized training columns have mean 0 and (population) variance 1.
  for (let j = 0; j < 4; j++) {
    const column = matrixRows(fromRows).map((row) => row[j]!);
    const mean = column.reduce((a, b) => a + b) / column.length;
    const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length;
    assert.ok(Math.abs(mean) < 1e-6);
    assert.ok(Math.abs(variance - (j === 2 ? 0 : 1)) < 1e-5);
  }
});

test('round-trips through JSON', () => {
  const scaler = StandardScaler.fit(rows);
  const restored = StandardScaler.from(JSON.parse(JSON.stringify(scaler)) as { mean: number[]; scale: number[] });
  assert.deepEqual(restored.mean, scaler.mean);
  assert.deepEqual(restored.scale, scaler.scale);
  assert.deepEqual(restored.transform(rows), scaler.transform(rows));
});

test('rejects rows of the wrong width and fitting on no rows; transforms no rows to none', () => {
  const scaler = StandardScaler.fit(rows);
  assert.deepEqual(scaler.transform([]), { rows: 0, cols: 4, data: new Float32Array(0) });
  assert.throws(() => scaler.transformRows([Float32Array.of(1, 2)]), RangeError);
  assert.throws(() => StandardScaler.fit([]), RangeError);
  assert.throws(() => StandardScaler.fit([Float32Array.of(1, 2), Float32Array.of(1)]), RangeError);
});
