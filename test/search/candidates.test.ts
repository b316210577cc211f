import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { candidates, candidatesIn } from '../../src/search/candidates.js';
import { rankingBound } from '../../src/search/float-bounds.js';
import { VectorTable } from '../../src/search/vector-table.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

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
    assert.equal(rankingBound(Math.sqrt(3.4028e38), 512), undefined);
    assert.ok(rankingBound(Math.sqrt(3.4e38), 512)! ** 2 < 3.4028234663852886e38);
  });

  test('widen the k-th distance by a relative (n + 2)u and a little more', () => {
    const t = 10;
    const bound = rankingBound(t, 512)!;
    assert.ok(bound > t * (1 + 514 * 2 ** -24));
    assert.ok(bound < t * (1 + 2 * 514 * 2 ** -24));
  });

  test('widen each row by its radius and the query\'s', () => {
    // Exact sums 1, 4 and 9: distances 1, 2 and 3; the second row may be 1.5 nearer.
    const scan = { distances: Float32Array.from([1, 4, 9]), ids: Int32Array.from([1, 2, 3]), radii: Float64Array.from([0, 1.5, 0]), maxRadius: 1.5 };
    assert.deepEqual(candidates(scan, 1, 8), [1, 2]);
    assert.deepEqual(candidates({ ...scan, radii: Float64Array.from([0, 0.9, 0]) }, 1, 8), [1]);
    // A query 1 off its vector: the third row, 3 - 1 away at least, ties with the first, 1 + 1 at most.
    assert.deepEqual(candidates({ ...scan, radii: Float64Array.from([0, 0, 0]) }, 1, 8, undefined, {}, 1), [1, 2, 3]);
  });
});

/** Vectors chosen to make the bound work: ties and near-ties, duplicates, extreme norms, lopsided values that int8 rounds badly. */
function adversarialCatalogs(random: () => number, dimensions: number): { name: string; vectors: Float32Array[]; query: Float32Array }[] {
  const around = (centre: Float32Array, count: number, size: number, lopsided = false) => {
    const difference = randomVector(random, dimensions).map((x) => x * size);
    return Array.from({ length: count }, () => {
      const permuted = [...difference].sort(() => random() - 0.5);
      const row = Float32Array.from(centre, (c, i) => c + permuted[i]!);
      if (lopsided) row[0] = 1000;
      return row;
    });
  };
  const scaled = (factor: number) => {
    const query = randomVector(random, dimensions).map((x) => x * factor);
    return { query, vectors: [...around(query, 60, 0.05 * factor), ...Array.from({ length: 40 }, () => randomVector(random, dimensions).map((x) => x * factor))] };
  };
  const query = randomVector(random, dimensions);
  const copies = Array.from({ length: 3 }, () => Float32Array.from(query, (x) => x + (random() - 0.5) * 0.02));
  const lopsided = Float32Array.from(query, (x, i) => (i === 0 ? 1000 : x));
  return [
    { name: 'near-ties', ...scaled(1) },
    { name: 'huge norms', ...scaled(1e17) },
    { name: 'tiny norms', ...scaled(1e-19) },
    { name: 'duplicates', query, vectors: [...Array.from({ length: 60 }, (_, i) => copies[i % 3]!), ...around(query, 40, 0.01)] },
    { name: 'lopsided', query: lopsided, vectors: [...around(lopsided, 60, 0.01, true), ...around(lopsided, 40, 0.5, true)] },
    {
      name: 'mixed scales',
      query,
      vectors: around(query, 100, 0.02).map((row) => {
        const factor = 10 ** Math.floor(random() * 5 - 2);
        return row.map((x) => x * factor);
      }),
    },
  ];
}

describe('candidates from the int8 table', () => {
  test('hold pgvector\'s true top k on adversarial catalogs, for a query vector and for a product\'s own vector', async () => {
    const random = seededRandom(23);
    let missedWithoutRadii = 0;
    for (const dimensions of [512, 64]) {
      for (const { name, vectors, query } of adversarialCatalogs(random, dimensions)) {
        // Chunks of 8 rows: the scan stops rows early from the 9th row on.
        const table = new VectorTable(undefined, 8);
        // Ids against the order of distance: the tie-break by id matters.
        const ids = vectors.map((_, i) => 5000 - 7 * i);
        vectors.forEach((vector, i) => table.set(ids[i]!, vector));
        const ofProduct = ids[3]!;
        const queries = [
          { query, stored: query, scanned: query, excluded: undefined, radius: 0 },
          { query: vectors[3]!, stored: vectors[3]!, scanned: table.vectorOf(ofProduct)!, excluded: ofProduct, radius: table.radiusOf(ofProduct)! },
        ];
        for (const { stored, scanned, excluded, radius } of queries) {
          for (const k of [1, 5, 20]) {
            const scan = await table.squaredDistances(scanned);
            const found = new Set(candidates(scan, k, dimensions, excluded, {}, radius));
            const plain = new Set(candidates({ distances: scan.distances, ids: scan.ids }, k, dimensions, excluded));
            // Scans again, over the same memory.
            assert.deepEqual((await candidatesIn(table, scanned, k, excluded))?.ids.sort(), [...found].sort(), `${name}: a scan that stops rows early`);
            for (const lanes of [1, 8]) {
              const pgvector = vectors.map((row) => float32SquaredL2(row, stored, lanes));
              const keep = ids.map((id) => id !== excluded);
              const top = topK(pgvector.filter((_, i) => keep[i]), ids.filter((_, i) => keep[i]), k);
              for (const id of top) {
                assert.ok(found.has(id), `${name}, ${dimensions} dimensions, k ${k}, lanes ${lanes}: product ${id} missing`);
                if (!plain.has(id)) missedWithoutRadii++;
              }
            }
          }
        }
      }
    }
    // The catalogs do test the radii: without them the same scans lose true neighbours.
    assert.ok(missedWithoutRadii > 0);
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

  test('under a filter and maxDistance, take the k-th bound from admitted rows only and widen the distance bound by the radii, on adversarial catalogs', async () => {
    const random = seededRandom(29);
    const dimensions = 64;
    let missedWithoutRadii = 0;
    for (const { name, vectors, query } of adversarialCatalogs(random, dimensions)) {
      const table = new VectorTable(undefined, 8);
      const ids = vectors.map((_, i) => 5000 - 7 * i);
      vectors.forEach((vector, i) => table.set(ids[i]!, vector));
      const ofProduct = ids[4]!;
      // Every third product, and one that drops most rows near the query: these must not set the k-th bound.
      const filters = [(id: number) => id % 3 !== 0, (id: number) => id % 3 !== 0 && id <= ids[50]!];
      const queries = [
        { stored: query, scanned: query, excluded: undefined, radius: 0 },
        { stored: vectors[4]!, scanned: table.vectorOf(ofProduct)!, excluded: ofProduct, radius: table.radiusOf(ofProduct)! },
      ];
      for (const [{ stored, scanned, excluded, radius }, admits] of queries.flatMap((query) => filters.map((admits) => [query, admits] as const))) {
        const pgvector = vectors.map((row) => float32SquaredL2(row, stored, 1));
        const admitted = ids.map((id, i) => ({ id, d: pgvector[i]! })).filter(({ id }) => id !== excluded && admits(id));
        const sorted = admitted.map((row) => row.d).sort((a, b) => a - b);
        // pgvector's own distances of admitted near-ties, the bound landing among rows ulps or radii apart; and no bound.
        for (const rank of [2, 12, 30, undefined]) {
          const maxDistance = rank === undefined ? undefined : Math.sqrt(sorted[rank]!);
          const kept = admitted.filter(({ d }) => maxDistance === undefined || Math.sqrt(d) <= maxDistance);
          // k past the rows within the bound: there, maxDistance alone decides.
          for (const k of [1, 5, 40]) {
            const expected = topK(kept.map((row) => row.d), kept.map((row) => row.id), k);
            const scan = await table.squaredDistances(scanned);
            const found = new Set(candidates(scan, k, dimensions, excluded, { admits, maxDistance }, radius));
            const early = new Set((await candidatesIn(table, scanned, k, excluded, { admits, maxDistance }))?.ids);
            const unwidened = new Set(candidates({ distances: scan.distances, ids: scan.ids }, k, dimensions, excluded, { admits, maxDistance }));
            for (const id of expected) {
              assert.ok(found.has(id), `${name}, bound at ${rank}, k ${k}: product ${id} missing`);
              assert.ok(early.has(id), `${name}, bound at ${rank}, k ${k}: product ${id} missing from the scan that stops rows early`);
              if (!unwidened.has(id)) missedWithoutRadii++;
            }
            for (const id of early) assert.ok(admits(id) && id !== excluded, `product ${id} is not admitted`);
          }
        }
      }
    }
    // The catalogs do test the radii: bounds not widened by them lose true neighbours.
    assert.ok(missedWithoutRadii > 0);
  });
});
