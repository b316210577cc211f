import assert from 'node:assert/strict';
import { test } from 'node:test';
import { precisionsAtK } from '../../src/evaluation/precision.js';

const list = (...indices: number[]) => ({ indices: Int32Array.from(indices), distances: new Float32Array(indices.length) });

test("precision@k of a query is the share of its neighbours in the query's category", () => {
  const catalog = ['shoe', 'shoe', 'bag', 'bag', 'shoe'];
  // 2 of 3, then 3 of 3, then 0 of 3.
  const precisions = precisionsAtK(['shoe', 'shoe', 'hat'], [list(0, 2, 4), list(0, 1, 4), list(0, 2, 3)], catalog);
  assert.deepEqual(precisions, [2 / 3, 1, 0]);
});

test('a query with no neighbours counts as zero, and no queries give no precisions', () => {
  assert.deepEqual(precisionsAtK(['shoe', 'shoe'], [list(0), list()], ['shoe']), [1, 0]);
  assert.deepEqual(precisionsAtK([], [], ['shoe']), []);
});
