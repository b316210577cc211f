import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EmbeddingNormalizer } from '../../src/domain/embedding-normalizer.js';

const outputs = [Float32Array.from([3, 0, 4]), Float32Array.from([0, 2, 0]), Float32Array.from([6, 2, 8]), new Float32Array(3)];

describe('EmbeddingNormalizer', () => {
  test('STANDARDIZE is the method: each column centred and scaled by its population deviation over the outputs fitted on', () => {
    const normalizer = EmbeddingNormalizer.fit('STANDARDIZE', outputs);
    const [first] = normalizer.transformRows(outputs);
    // Column 0 holds 3, 0, 6, 0: mean 2.25, deviation sqrt(6.1875).
    assert.ok(Math.abs(first![0]! - (3 - 2.25) / Math.sqrt(6.1875)) < 1e-6);
  });

  test('UNIT_LENGTH divides each output by its Euclidean length and learns nothing from the outputs', () => {
    const normalizer = EmbeddingNormalizer.fit('UNIT_LENGTH', outputs);
    assert.deepEqual(Array.from(normalizer.scaler.mean), [0, 0, 0]);
    assert.deepEqual(Array.from(normalizer.scaler.scale), [1, 1, 1]);
    const rows = normalizer.transformRows([Float32Array.from([3, 0, 4]), Float32Array.from([6, 0, 8])]);
    assert.deepEqual(rows.map((row) => Array.from(row, (v) => Math.round(v * 1e6) / 1e6)), [
      [0.6, 0, 0.8],
      [0.6, 0, 0.8],
    ]);
  });

  test('UNIT_LENGTH leaves a row of zeros as zeros instead of dividing by nothing', () => {
    const [zeros] = EmbeddingNormalizer.fit('UNIT_LENGTH', outputs).transformRows([new Float32Array(3)]);
    assert.deepEqual(Array.from(zeros!), [0, 0, 0]);
  });

  test('a stored space rebuilt with from() embeds as the fitted one did, and leaves its input untouched', () => {
    const fitted = EmbeddingNormalizer.fit('UNIT_LENGTH', outputs);
    const rebuilt = EmbeddingNormalizer.from({ normalization: fitted.normalization, scaler: { mean: fitted.scaler.mean, scale: fitted.scaler.scale } });
    const input = Float32Array.from([0, 2, 0]);
    assert.deepEqual(rebuilt.transformRows([input]), fitted.transformRows([input]));
    assert.deepEqual(Array.from(input), [0, 2, 0]);
  });

  test('UNIT_LENGTH cannot be fitted on no outputs: it would not know the width', () => {
    assert.throws(() => EmbeddingNormalizer.fit('UNIT_LENGTH', []), RangeError);
  });
});
