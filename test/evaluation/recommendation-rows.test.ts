import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommendationRows } from '../../src/evaluation/recommendation-rows.js';
import { queryResult } from './evaluation-result.fixture.js';

const queries = [queryResult('q1', 'Ankle boot', 'Sneaker'), queryResult('q2', 'Sneaker', 'Sneaker')];
const image = new Uint8Array([1]);
const thumbnails = new Map(queries.flatMap((q) => [q.sku, ...q.trained.map((r) => r.sku), ...q.raw.map((r) => r.sku)]).map((sku) => [sku, image]));

test("the trained space's picture captions each query with the head's prediction", () => {
  const rows = recommendationRows(queries, 'trained', thumbnails);
  assert.deepEqual(rows.map((r) => r.query.caption), ['Ankle boot (pred. Sneaker)', 'Sneaker (pred. Sneaker)']);
});

test("the raw features' picture captions each query with its true class only", () => {
  const rows = recommendationRows(queries, 'raw', thumbnails);
  assert.deepEqual(rows.map((r) => r.query.caption), ['Ankle boot', 'Sneaker']);
});

test("each space's neighbours are its own, marked by whether they share the query's category", () => {
  for (const space of ['trained', 'raw'] as const) {
    const [first] = recommendationRows(queries, space, thumbnails);
    assert.deepEqual(first!.neighbours.map((n) => n.caption), queries[0]![space].map((r) => r.category));
    assert.deepEqual(first!.neighbours.map((n) => n.match), queries[0]![space].map((r) => r.category === 'Ankle boot'));
  }
});

test('a recommendation without a thumbnail is an error, not a blank cell', () => {
  assert.throws(() => recommendationRows(queries, 'raw', new Map([['q1', image]])), /no thumbnail for q1-Sneaker-0/);
});
