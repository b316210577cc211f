import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidates, candidateThreshold } from '../../src/search/candidates.js';
import { randomVector, seededRandom } from '../support/vectors.js';

/** A float32 sum of float32 squared differences, in `lanes` interleaved partial sums: lanes = 1 is pgvector's loop as written. */
function float32SquaredL2(a: Float32Array, b: Float32Array, lanes: number): number {
  const sums = new Array<number>(lanes).fill(0);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.fround(a[i]! - b[i]!);
    sums[i % lanes] = Math.fround(sums[i % lanes]! + Math.fround(diff * diff));
  }
  return sums.reduce((total, sum) => Math.fround(total + sum), 0);
}

/** The top k by (distance, id), as ORDER BY distance, id LIMIT k ranks them. */
function topK(distances: number[], ids: number[], k: number): number[] {
  return ids
    .map((id, i) => ({ id, distance: distances[i]! }))
    .sort((a, b) => a.distance - b.distance || a.id - b.id)
    .slice(0, k)
    .map((row) => row.id);
}

function scanOf(distances: number[], ids: number[]) {
  return { distances: Float32Array.from(distances), ids: Int32Array.from(ids) };
}

describe('candidates', () => {
  test('hold the true top k however the float32 sums are ordered, ties of exact distance included', () => {
    const random = seededRandom(17);
    const dimensions = 512;
    for (let trial = 0; trial < 20; trial++) {
      const query = randomVector(random, dimensions);
      // Permutations of one difference vector: equal distances in exact arithmetic, a few ulps apart in float32.
      const difference = randomVector(random, dimensions).map((x) => x * 0.01);
      const rows: Float32Array[] = Array.from({ length: 60 }, () => {
        const permuted = [...difference].sort(() => random() - 0.5);
        return Float32Array.from(query, (q, i) => q + permuted[i]!);
      });
      rows.push(...Array.from({ length: 60 }, () => randomVector(random, dimensions)));
      const ids = rows.map((_, i) => 1000 - i);
      const pgvector = rows.map((row) => float32SquaredL2(row, query, 1));
      const scan = rows.map((row) => float32SquaredL2(row, query, 16));
      for (const k of [1, 6, 20]) {
        const found = new Set(candidates(scanOf(scan, ids), k, dimensions));
        for (const id of topK(pgvector, ids, k)) assert.ok(found.has(id), `trial ${trial}, k ${k}: product ${id} missing`);
      }
    }
  });

  test('take every row tied with the k-th, and no far row', () => {
    const distances = [5, 1, 3, 3, 3, 9, 3, 40];
    const ids = [10, 11, 12, 13, 14, 15, 16, 17];
    assert.deepEqual(candidates(scanOf(distances, ids), 2, 512)!.sort(), [11, 12, 13, 14, 16]);
  });

  test('leave out the excluded product, and take all the others when there are at most k', () => {
    const scan = scanOf([0, 2, 1, 4], [1, 2, 3, 4]);
    assert.deepEqual(candidates(scan, 3, 8, 1), [2, 3, 4]);
    assert.deepEqual(candidates(scan, 1, 8, 3), [1]);
    assert.deepEqual(candidates(scanOf([], []), 6, 8), []);
  });

  test('give up where float32 could overflow', () => {
    assert.equal(candidates(scanOf([Infinity, Infinity, 1], [1, 2, 3]), 2, 512), undefined);
    assert.equal(candidateThreshold(3.4028e38, 512), undefined);
    assert.ok(candidateThreshold(3.4e38, 512)! < 3.4028234663852886e38);
  });

  test('widen the k-th distance by a relative 4(n + 2)u and a little more', () => {
    const t = 100;
    const threshold = candidateThreshold(t, 512)!;
    assert.ok(threshold > t * (1 + 4 * 514 * 2 ** -24));
    assert.ok(threshold < t * (1 + 5 * 514 * 2 ** -24));
  });

  test('under a filter and a bound, hold the top k of the admitted rows within the bound, however the sums are ordered', () => {
    const random = seededRandom(19);
    const dimensions = 512;
    for (let trial = 0; trial < 20; trial++) {
      const query = randomVector(random, dimensions);
      const difference = randomVector(random, dimensions).map((x) => x * 0.01);
      const rows: Float32Array[] = Array.from({ length: 80 }, () => {
        const permuted = [...difference].sort(() => random() - 0.5);
        return Float32Array.from(query, (q, i) => q + permuted[i]!);
      });
      rows.push(...Array.from({ length: 80 }, () => randomVector(random, dimensions)));
      const ids = rows.map((_, i) => 1000 - i);
      const pgvector = rows.map((row) => float32SquaredL2(row, query, 1));
      const scan = rows.map((row) => float32SquaredL2(row, query, 16));
      const admits = (id: number) => id % 3 !== 0;
      // pgvector's own distance of one of the tied rows: the bound keeps it, ulps from its twins.
      const maxDistance = Math.sqrt(pgvector[trial]!);
      for (const k of [1, 6, 40]) {
        const found = new Set(candidates(scanOf(scan, ids), k, dimensions, undefined, { admits, maxDistance }));
        const kept = ids.map((id, i) => ({ id, d: pgvector[i]! })).filter(({ id, d }) => admits(id) && Math.sqrt(d) <= maxDistance);
        const expected = topK(kept.map((row) => row.d), kept.map((row) => row.id), k);
        for (const id of expected) assert.ok(found.has(id), `trial ${trial}, k ${k}: product ${id} missing`);
        for (const id of found) assert.ok(admits(id), `product ${id} is not admitted`);
      }
    }
  });
});
