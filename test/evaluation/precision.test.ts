import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meanPrecisionAtK } from '../../src/evaluation/precision.js';

const list = (...indices: number[]) => ({ indices: Int32Array.from(indices), distances: new Float32Array(indices.length) });

test("precision@k is each query's share of neighbours in its category, averaged over the queries", () => {
  const catalog = ['shoe', 'shoe', 'bag', 'bag', 'shoe'];
  // 2 of 3, then 3 of 3, then 0 of 3.
  const precision = meanPrecisionAtK(['shoe', 'shoe', 'hat'], [list(0, 2, 4), list(0, 1, 4), list(0, 2, 3)], catalog);
  assert.equal(precision, (2 / 3 + 1 + 0) / 3);
});

test('a query with no neighbours counts as zero, and no queries at all give NaN', () => {
  assert.equal(meanPrecisionAtK(['shoe', 'shoe'], [list(0), list()], ['shoe']), 0.5);
  assert.ok(Number.isNaN(meanPrecisionAtK([], [], ['shoe'])));
});
