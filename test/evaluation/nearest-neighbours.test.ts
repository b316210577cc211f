import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectBackend } from '../../src/ml/backend.js';
import { nearestNeighbours } from '../../src/evaluation/nearest-neighbours.js';

/** Deterministic pseudo-random rows, so a failure repeats. */
function rows(count: number, dims: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count }, () => Float32Array.from({ length: dims }, next));
}

/** The k nearest by direct float64 L2, ties by id (by default a row's id is its position). */
function bruteForce(query: Float32Array, catalog: Float32Array[], k: number, skip = -1, ids: readonly number[] = positions(catalog)): number[] {
  return catalog
    .map((row, i) => ({ i, d: row.reduce((sum, value, j) => sum + (value - query[j]!) ** 2, 0) }))
    .filter(({ i }) => i !== skip)
    .sort((a, b) => a.d - b.d || ids[a.i]! - ids[b.i]!)
    .slice(0, k)
    .map(({ i }) => i);
}

function positions(rows: readonly Float32Array[]): number[] {
  return rows.map((_, i) => i);
}

/** A catalog whose products' ids are their positions. */
function inOrder(vectors: Float32Array[]) {
  return { vectors, ids: positions(vectors) };
}

before(async () => {
  await selectBackend('wasm');
});

test('each query gets the k nearest catalog rows by L2, nearest first, with their distances', () => {
  const catalog = rows(300, 64, 1);
  const queries = rows(40, 64, 2);
  const found = nearestNeighbours(queries, inOrder(catalog), 6);
  queries.forEach((query, q) => {
    assert.deepEqual(Array.from(found[q]!.indices), bruteForce(query, catalog, 6));
    const exact = Array.from(found[q]!.indices, (i) => Math.hypot(...catalog[i]!.map((value, j) => value - query[j]!)));
    found[q]!.distances.forEach((distance, n) => assert.ok(Math.abs(distance - exact[n]!) < 1e-3 * exact[n]!));
  });
});

test('with excludeSelf, the catalog queried against itself never returns the query row', () => {
  const catalog = rows(300, 32, 3);
  const found = nearestNeighbours(catalog, inOrder(catalog), 5, { excludeSelf: true });
  catalog.forEach((row, i) => assert.deepEqual(Array.from(found[i]!.indices), bruteForce(row, catalog, 5, i)));
});

test('queries beyond one chunk of 256 are answered like the first ones', () => {
  const catalog = rows(50, 16, 4);
  const queries = rows(600, 16, 5);
  const found = nearestNeighbours(queries, inOrder(catalog), 3);
  assert.equal(found.length, 600);
  for (const q of [0, 255, 256, 599]) assert.deepEqual(Array.from(found[q]!.indices), bruteForce(queries[q]!, catalog, 3));
});

test('duplicate catalog rows tie and come in catalog order', () => {
  const [a, b] = rows(2, 8, 6);
  const catalog = [b!, a!, a!, b!, a!];
  const found = nearestNeighbours([a!], inOrder(catalog), 3);
  assert.deepEqual(Array.from(found[0]!.indices), [1, 2, 4]);
});

test('equal distances come by product id, as the service ranks them, whatever the catalog order', () => {
  const [a, b] = rows(2, 8, 6);
  const catalog = { vectors: [b!, a!, a!, b!, a!], ids: [50, 40, 10, 20, 30] };
  const found = nearestNeighbours([a!], catalog, 4);
  assert.deepEqual(Array.from(found[0]!.indices), [2, 4, 1, 3], 'ids 10, 30, 40 at distance 0, then id 20 before id 50');
});

test('rows nearer by less than the matrix product can tell apart still rank by their true distances', () => {
  // Far from the origin, |q|^2 + |x|^2 - 2 q.x loses the differences to rounding.
  const offset = (row: Float32Array) => row.map((value) => 1000 + value);
  const catalog = rows(200, 32, 7).map(offset);
  const ids = positions(catalog).reverse();
  const queries = rows(20, 32, 8).map(offset);
  const found = nearestNeighbours(queries, { vectors: catalog, ids }, 6);
  queries.forEach((query, q) => assert.deepEqual(Array.from(found[q]!.indices), bruteForce(query, catalog, 6, -1, ids)));
});
