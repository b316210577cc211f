import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IndexCapacityError, VectorTable } from '../../src/search/vector-table.js';
import { randomVector, seededRandom } from '../support/vectors.js';

/** Quarter steps in [-8, 8]: every difference, square and sum of 512 of them is exact in float32. */
function gridVector(random: () => number, dimensions: number): Float32Array {
  return Float32Array.from({ length: dimensions }, () => Math.round(random() * 64 - 32) / 4);
}

function squaredL2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

function distancesById(table: VectorTable, query: Float32Array): Map<number, number> {
  const { distances, ids } = table.squaredDistances(query);
  return new Map(Array.from(ids, (id, i) => [id, distances[i]!]));
}

describe('VectorTable', () => {
  for (const dimensions of [512, 2048, 3, 17]) {
    test(`computes exact squared distances where float32 is exact (${dimensions} dimensions)`, () => {
      const random = seededRandom(dimensions);
      const table = new VectorTable();
      const vectors = new Map(Array.from({ length: 300 }, (_, i) => [i * 7 + 1, gridVector(random, dimensions)]));
      for (const [id, vector] of vectors) table.set(id, vector);
      const query = gridVector(random, dimensions);
      const found = distancesById(table, query);
      assert.equal(found.size, vectors.size);
      for (const [id, vector] of vectors) assert.equal(found.get(id), squaredL2(query, vector), `product ${id}`);
    });
  }

  test('stays within float32 rounding of the exact distance on arbitrary floats', () => {
    const random = seededRandom(3);
    const table = new VectorTable();
    const vectors = Array.from({ length: 200 }, () => randomVector(random, 512));
    vectors.forEach((vector, id) => table.set(id, vector));
    const query = randomVector(random, 512);
    for (const [id, distance] of distancesById(table, query)) {
      const exact = squaredL2(query, vectors[id]!);
      assert.ok(Math.abs(distance - exact) <= 514 * 2 ** -24 * exact, `product ${id}`);
    }
  });

  test('replaces, deletes and moves rows without mixing up their ids', () => {
    const random = seededRandom(5);
    const table = new VectorTable();
    const vectors = new Map<number, Float32Array>();
    for (let step = 0; step < 3000; step++) {
      const id = Math.floor(random() * 400);
      if (random() < 0.3) {
        table.delete(id);
        vectors.delete(id);
      } else {
        const vector = gridVector(random, 20);
        table.set(id, vector);
        vectors.set(id, vector);
      }
    }
    assert.equal(table.size, vectors.size);
    const query = gridVector(random, 20);
    const found = distancesById(table, query);
    assert.deepEqual([...found.keys()].sort((a, b) => a - b), [...vectors.keys()].sort((a, b) => a - b));
    for (const [id, vector] of vectors) {
      assert.deepEqual(table.vectorOf(id), vector);
      assert.equal(found.get(id), squaredL2(query, vector));
    }
    assert.equal(table.vectorOf(1000), undefined);
  });

  test('refuses vectors and queries of other dimensions', () => {
    const table = new VectorTable();
    table.set(1, new Float32Array(8));
    assert.throws(() => table.set(2, new Float32Array(9)), /9 dimensions/);
    assert.throws(() => table.squaredDistances(new Float32Array(9)), /9 dimensions/);
  });

  test('says when the vectors would outgrow its memory', () => {
    const table = new VectorTable(8 * 65_536);
    assert.throws(() => {
      for (let id = 0; id < 2000; id++) table.set(id, new Float32Array(512));
    }, IndexCapacityError);
  });
});
