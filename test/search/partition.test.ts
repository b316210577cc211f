import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CandidateBound, type CandidateConditions, candidatesIn, type Scan } from '../../src/search/candidates.js';
import { rowLimitConstants } from '../../src/search/block-scan.js';
import { MARGIN, rounding } from '../../src/search/float-bounds.js';
import { roundedUp } from '../../src/search/projection.js';
import { ScanHelper } from '../../src/search/scan-helper.js';
import { VectorTable } from '../../src/search/vector-table.js';
import { pauseIfLong, SLICE_MS } from '../../src/util/time-slice.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';
import { kernelLimit } from './row-limit.js';

const DIMENSIONS = 64;
const GROUPS = 8;
const BLOCK_ROWS = 16;

/** pgvector's sum as its loop is written: float32, one term after another. */
function pgvectorSquaredL2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = Math.fround(a[i]! - b[i]!);
    sum = Math.fround(sum + Math.fround(difference * difference));
  }
  return sum;
}

/** ORDER BY embedding <-> query, id LIMIT k over the stored vectors, filter and maxDistance applied first. */
function pgvectorTopK(stored: Map<number, Float32Array>, query: Float32Array, k: number, excludeId?: number, conditions: CandidateConditions = {}): number[] {
  return [...stored]
    .filter(([id]) => id !== excludeId && (!conditions.admits || conditions.admits(id, categoryOf(id))))
    .map(([id, vector]) => ({ id, distance: Math.sqrt(pgvectorSquaredL2(vector, query)) }))
    .filter(({ distance }) => conditions.maxDistance === undefined || distance <= conditions.maxDistance)
    .sort((a, b) => a.distance - b.distance || a.id - b.id)
    .slice(0, k)
    .map(({ id }) => id);
}

/** Clusters of near copies around random centres, ids from 1: pruning has something to skip. */
function clusteredCatalog(random: () => number, clusters: number, perCluster: number): Map<number, Float32Array> {
  const stored = new Map<number, Float32Array>();
  for (let c = 0; c < clusters; c++) {
    const centre = randomVector(random, DIMENSIONS).map((x) => x * 4);
    for (let i = 0; i < perCluster; i++) stored.set(stored.size + 1, centre.map((x) => x + (random() * 2 - 1) * 0.05));
  }
  return stored;
}

/** Each row's category code: moved with its row when the partition files it in a block. */
const categoryOf = (id: number) => id % 7;

async function partitionedTableOf(stored: Map<number, Float32Array>, table: VectorTable): Promise<VectorTable> {
  for (const [id, vector] of stored) table.set(id, vector, categoryOf(id));
  await table.partition(BLOCK_ROWS);
  assert.ok(table.blocks > GROUPS, `${table.blocks} blocks`);
  return table;
}

/** Every product pgvector can return is a candidate, for the product's own query and for a free one. */
async function assertCandidatesHoldTopK(table: VectorTable, stored: Map<number, Float32Array>, ids: Iterable<number>, k: number, conditions: CandidateConditions = {}): Promise<void> {
  for (const id of ids) {
    const found = new Set((await candidatesIn(table, table.vectorOf(id)!, k, id, conditions))?.ids);
    for (const expected of pgvectorTopK(stored, stored.get(id)!, k, id, conditions)) assert.ok(found.has(expected), `query ${id}, k ${k}: product ${expected} missing`);
  }
}

/** Starts the helper thread and waits until scans can share it. */
async function helperRunning(): Promise<void> {
  ScanHelper.shared();
  for (let waited = 0; !ScanHelper.stats().running; waited += 10) {
    assert.ok(waited < 30_000, 'the helper thread did not start');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rows the scan of candidatesIn reads for a product's query: the same limits, counted. */
async function rowsRead(table: VectorTable, productId: number, k: number): Promise<number> {
  const bound = new CandidateBound(k, table.dimensions, productId, {}, table.radiusOf(productId));
  let added = 0;
  const limits = {
    threshold: (scanned: Required<Scan>) => {
      bound.add(scanned, added, scanned.ids.length);
      added = scanned.ids.length;
      return bound.limit(scanned.maxRadius);
    },
    reach: () => bound.reach + table.radiusOf(productId)!,
  };
  return (await table.squaredDistances(table.vectorOf(productId)!, limits)).ids.length;
}

/** The same specification for scans read alone and scans that share their blocks with the helper thread (scan-helper.ts). */
for (const helped of [false, true]) {
  describe(helped ? 'a partitioned VectorTable whose scans share the helper thread' : 'a partitioned VectorTable', () => {
    const newTable = (maxBytes?: number, scanChunk?: number) => new VectorTable(maxBytes, scanChunk, helped ? { minRows: 0 } : { minRows: Infinity });
    const partitionedTable = (stored: Map<number, Float32Array>) => partitionedTableOf(stored, newTable());
    if (helped) {
      before(() => helperRunning());
      test('hands blocks to the helper thread', async () => {
        const stored = clusteredCatalog(seededRandom(15), 24, 40);
        const table = await partitionedTable(stored);
        const before = ScanHelper.stats().batches;
        await assertCandidatesHoldTopK(table, stored, [1, 300, 900], 6);
        assert.ok(ScanHelper.stats().batches > before, 'the helper read no batch');
      });
    }

    test('skips most blocks of a clustered catalog and still finds every product pgvector returns, each row as the query', async () => {
      const random = seededRandom(5);
      const stored = clusteredCatalog(random, 24, 30);
      const table = await partitionedTable(stored);
      await assertCandidatesHoldTopK(table, stored, stored.keys(), 6);
      await assertCandidatesHoldTopK(table, stored, [1, 500, 720], 60);
      const read = await rowsRead(table, 77, 6);
      assert.ok(read < stored.size / 10, `read ${read} rows of ${stored.size}`);
    });

    test("stops summing a row only past the limit for its own radius, however far below its block's and the table's", async () => {
      const random = seededRandom(44);
      const dimensions = 512;
      const stored = new Map<number, Float32Array>();
      for (let id = 1; id <= 400; id++) stored.set(id, randomVector(random, dimensions));
      // One large first value makes these rows' scale, and their radius, a hundred times the others'.
      const coarse = [7, 150, 333];
      for (const id of coarse) stored.get(id)![0] = 100;
      const table = newTable();
      for (const [id, vector] of stored) table.set(id, vector, categoryOf(id));
      await table.partition(BLOCK_ROWS);
      const query = randomVector(random, dimensions);
      const whole = await table.squaredDistances(query);
      const fullSum = new Map(Array.from(whole.ids, (id, i) => [id, whole.distances[i]!]));
      const widest = Math.max(...Array.from(stored.keys(), (id) => table.radiusOf(id)!));
      const { gamma, absolute } = rounding(dimensions);
      const nearest = Math.sqrt(Math.min(...fullSum.values()));
      // From a coarse row's distance, less half its radius: within the limit of its own radius, past the one a radius of 0 gives.
      // From the nearest row's distance: most rows are past their own limits, though within the coarse rows' radii of it.
      const reaches = [...coarse.map((id) => Math.sqrt(fullSum.get(id)!) - table.radiusOf(id)! / 2), nearest];
      for (const reach of reaches) {
        const stop = (radius: number) => ((1 + gamma) * (reach + radius) ** 2 + absolute) * (1 + MARGIN);
        const kernelStop = (radius: number) => kernelLimit(roundedUp(reach * (1 + MARGIN)), roundedUp(radius), rowLimitConstants(dimensions));
        const scan = await table.squaredDistances(query, { threshold: () => stop(widest), reach: () => reach });
        for (let i = 0; i < scan.ids.length; i++) {
          const row = scan.ids[i]!;
          const radius = table.radiusOf(row)!;
          if (scan.distances[i]! < fullSum.get(row)!) assert.ok(scan.distances[i]! > stop(radius), `reach ${reach}: row ${row} stopped at ${scan.distances[i]}, within its own limit ${stop(radius)}`);
          assert.ok(scan.distances[i]! <= kernelStop(radius), `reach ${reach}: row ${row} written at ${scan.distances[i]}, past its own stop ${kernelStop(radius)}`);
        }
        for (const id of coarse) {
          if (Math.sqrt(fullSum.get(id)!) <= reach + table.radiusOf(id)!) assert.equal(scan.distances[Array.from(scan.ids).indexOf(id)], fullSum.get(id), `reach ${reach}: row ${id} not summed in full`);
        }
      }
      const fromNearest = await table.squaredDistances(query, { threshold: () => Infinity, reach: () => nearest });
      const withinWidest = [...fullSum.values()].filter((sum) => Math.sqrt(sum) <= nearest + widest).length;
      assert.ok(fromNearest.ids.length < withinWidest / 2, `${fromNearest.ids.length} rows written of the ${withinWidest} within the widest radius of the nearest: the rows' own radii do not decide`);
    });

    test('takes every product tied at the k-th distance, whichever blocks the ties were filed in', async () => {
      const random = seededRandom(6);
      const stored = clusteredCatalog(random, 20, 40);
      // A query on an int8-exact grid and 24 rows one step from it along different axes: exactly tied, also in float32.
      const query = Float32Array.from({ length: DIMENSIONS }, () => Math.round(random() * 16 - 8) / 8);
      query[0] = 127 / 8;
      const tied: number[] = [];
      for (let axis = 1; axis <= 24; axis++) {
        const moved = query.slice();
        moved[axis] = moved[axis]! + (axis % 2 ? 1 / 8 : -1 / 8);
        tied.push(stored.size + 1);
        stored.set(stored.size + 1, moved);
      }
      const table = await partitionedTable(stored);
      for (const k of [1, 6, 24]) {
        const found = new Set((await candidatesIn(table, query, k))?.ids);
        for (const id of tied) assert.ok(found.has(id), `k ${k}: tied product ${id} missing`);
      }
    });

    test('reads a block whose box just reaches the k-th distance: rows on one line along the leading axis, ties at the boundary', async () => {
      // Row t is (t/8)·v with v int8-valued: held exactly (radius 0), all on the line the first axis follows, so blocks of one row have boxes as tight as their coordinates' slack.
      const random = seededRandom(12);
      const v = Float32Array.from({ length: DIMENSIONS }, () => Math.round(random() * 254 - 127));
      v[0] = 127;
      const stored = new Map(Array.from({ length: 240 }, (_, i) => [i + 1, v.map((x) => (x * (i + 1)) / 8)]));
      const table = newTable();
      for (const [id, vector] of stored) table.set(id, vector);
      await table.partition(1);
      for (const id of stored.keys()) assert.equal(table.radiusOf(id), 0);
      // k = 5: rows t ± 1, t ± 2 and the tie t ± 3 at the boundary, pgvector takes t - 3 by its id; k = 6: both, the second at exactly the first's distance.
      for (const k of [5, 6]) await assertCandidatesHoldTopK(table, stored, [1, 2, 3, 60, 61, 120, 200, 238, 239, 240], k);
      await assertCandidatesHoldTopK(table, stored, [4, 100, 237], 1);
      await assertCandidatesHoldTopK(table, stored, [100], 6, { maxDistance: (3 * Math.hypot(...v)) / 8 });
    });

    test('finds rows far from their block, and rows rewritten, added and deleted after the build', async () => {
      const random = seededRandom(7);
      const stored = clusteredCatalog(random, 20, 40);
      // Outliers filed beside clusters: they stretch their boxes outwards.
      for (let i = 0; i < 10; i++) stored.set(stored.size + 1, randomVector(random, DIMENSIONS).map((x) => x * 40));
      const table = await partitionedTable(stored);
      await assertCandidatesHoldTopK(table, stored, [...stored.keys()].filter((id) => id % 7 === 0 || id > 800), 6);

      // Rewritten: each row moves next to a far cluster's row; its block's box must grow for the block to be read.
      for (const [id, target] of [[3, 640], [45, 402], [333, 12], [801, 150]] as const) {
        const moved = stored.get(target)!.map((x) => x + (random() * 2 - 1) * 0.01);
        stored.set(id, moved);
        table.set(id, moved);
      }
      // Added: the tail; deleted: moved out of their block.
      for (let i = 0; i < 20; i++) {
        const id = 5000 + i;
        const vector = stored.get(1 + ((i * 97) % 800))!.map((x) => x + (random() * 2 - 1) * 0.01);
        stored.set(id, vector);
        table.set(id, vector);
      }
      for (const id of [2, 41, 42, 43, 640 - 1, 700, 5003]) {
        stored.delete(id);
        table.delete(id);
      }
      assert.equal(table.size, stored.size);
      await assertCandidatesHoldTopK(table, stored, [...stored.keys()].filter((id) => id % 3 === 0 || id > 800), 6);
      for (const id of [640, 402, 12, 150]) {
        const found = new Set((await candidatesIn(table, table.vectorOf(id)!, 2, id))?.ids);
        assert.ok([3, 45, 333, 801].some((moved) => found.has(moved)), `query ${id}: its moved neighbour missing`);
      }
    });

    test('honours a filter and a maxDistance: the k nearest among admitted rows within it', async () => {
      const random = seededRandom(8);
      const stored = clusteredCatalog(random, 20, 40);
      const table = await partitionedTable(stored);
      const admits = (id: number) => id % 3 !== 0;
      await assertCandidatesHoldTopK(table, stored, [1, 2, 100, 401, 799], 6, { admits });
      await assertCandidatesHoldTopK(table, stored, [5, 250, 640], 6, { admits, maxDistance: 0.6 });
      await assertCandidatesHoldTopK(table, stored, [6, 251], 30, { maxDistance: 0.6 });
      const inTwoCategories = (_id: number, category: number) => category === 2 || category === 5;
      await assertCandidatesHoldTopK(table, stored, [1, 2, 100, 401, 799], 6, { admits: inTwoCategories });
    });

    test('takes writes while the partition is built in the background; rows changed meanwhile go to the tail', async () => {
      const random = seededRandom(9);
      const stored = clusteredCatalog(random, 20, 40);
      const table = newTable();
      for (const [id, vector] of stored) table.set(id, vector);
      const building = table.partition(BLOCK_ROWS);
      await nextTurn();
      for (const id of [1, 2, 300, 799, 800]) {
        stored.delete(id);
        table.delete(id);
      }
      for (const [id, target] of [[10, 600], [9000, 20], [9001, 500]] as const) {
        const vector = stored.get(target)!.map((x) => x + 0.001);
        stored.set(id, vector);
        table.set(id, vector);
      }
      await assertCandidatesHoldTopK(table, stored, [10, 20, 500, 600], 6);
      await building;
      assert.ok(table.blocks > GROUPS);
      assert.equal(table.size, stored.size);
      for (const [id, vector] of stored) assert.ok(table.vectorOf(id)!.every((x, i) => Math.abs(x - vector[i]!) <= table.radiusOf(id)!), `product ${id}`);
      await assertCandidatesHoldTopK(table, stored, [...stored.keys()].filter((id) => id % 3 === 0 || id > 8000), 6);
    });

    test('takes writes between the chunks of a pass, rows moved into slots the pass has summed among them, and stays exact', async () => {
      const random = seededRandom(10);
      const stored = clusteredCatalog(random, 20, 40);
      const table = newTable(undefined, 16);
      for (const [id, vector] of stored) table.set(id, vector);
      // The turn the build starts in has run its slice: the build pauses after the first 16 rows of its first pass.
      setImmediate(() => {
        pauseIfLong();
        for (const until = performance.now() + SLICE_MS + 1; performance.now() < until; );
      });
      const building = table.partition(BLOCK_ROWS);
      await nextTurn();
      // Without a partition a deleted row's slot takes the last row, which the pass has not reached.
      for (const id of [...stored.keys()].slice(0, 3)) {
        stored.delete(id);
        table.delete(id);
      }
      await building;
      assert.ok(table.blocks > GROUPS);
      await assertCandidatesHoldTopK(table, stored, stored.keys(), 6);
    });

    test('every row reads true between the steps of a build, while the rows are being filed too', async () => {
      const random = seededRandom(13);
      const stored = clusteredCatalog(random, 30, 100);
      const table = newTable(undefined, 1024);
      for (const [id, vector] of stored) table.set(id, vector);
      let building = true;
      let turns = 0;
      // A turn of its own, so that the reader's next turn is asked for before the build's (a test before may have asked in this one).
      await nextTurn();
      // Each turn runs its slice before the build goes on, so the build pauses at almost every step, filing included.
      const reader = (async () => {
        while (building) {
          for (const [id, vector] of stored) {
            const row = table.vectorOf(id)!;
            assert.ok(row.every((x, i) => Math.abs(x - vector[i]!) <= table.radiusOf(id)!), `product ${id} at turn ${turns}`);
          }
          pauseIfLong();
          for (const until = performance.now() + SLICE_MS + 1; performance.now() < until; );
          turns++;
          await nextTurn();
        }
      })();
      await table.partition(BLOCK_ROWS);
      building = false;
      await reader;
      assert.ok(turns > 20, `the build went on over ${turns} turns`);
      await assertCandidatesHoldTopK(table, stored, [...stored.keys()].filter((id) => id % 50 === 0), 6);
    });

    test('asks for a partition from 16,384 rows, and again once the tail holds more than an eighth of them; the rebuild files the tail', async () => {
      const random = seededRandom(13);
      const table = newTable();
      const stored = new Map<number, Float32Array>();
      const add = (id: number) => {
        const vector = randomVector(random, 8);
        stored.set(id, vector);
        table.set(id, vector);
      };
      for (let id = 1; id < 16_384; id++) add(id);
      assert.equal(table.wantsPartition, false);
      add(16_384);
      assert.equal(table.wantsPartition, true);
      await table.partition();
      const blocks = table.blocks;
      assert.ok(blocks >= 32, `${blocks} blocks`);
      assert.equal(table.wantsPartition, false);
      // More than an eighth of the rows, tail included: 2,341 of 18,725.
      for (let id = 16_385; id <= 16_384 + 2340; id++) add(id);
      assert.equal(table.wantsPartition, false);
      add(16_384 + 2341);
      assert.equal(table.wantsPartition, true);
      await table.partition();
      assert.equal(table.wantsPartition, false);
      assert.ok(table.blocks > blocks);
      const query = randomVector(random, 8);
      const found = new Set((await candidatesIn(table, query, 6))?.ids);
      for (const id of pgvectorTopK(stored, query, 6)) assert.ok(found.has(id), `product ${id} missing`);
    });

    test('reads blocks whose rows overflow float32 once quantized, and finds the products pgvector returns near them', async () => {
      const random = seededRandom(14);
      const stored = clusteredCatalog(random, 10, 40);
      // The largest float32: its int8 row stands for values that round past it, an infinite x'.
      for (let i = 0; i < 40; i++) stored.set(stored.size + 1, randomVector(random, DIMENSIONS).map((x) => (i % 2 ? x * 1e37 : x * 3.4028234663852886e38)));
      const table = newTable();
      for (const [id, vector] of stored) table.set(id, vector);
      await table.partition(BLOCK_ROWS, () => 0.999);
      await assertCandidatesHoldTopK(table, stored, [1, 200, 399], 6);
      // Near the huge rows float32 sums overflow: the index may leave the query to pgvector (undefined), never drop a product.
      for (const id of [401, 402, 420, 440]) {
        for (const query of [table.vectorOf(id)!, stored.get(id)!]) {
          const found = (await candidatesIn(table, query, 3, id))?.ids;
          assert.ok(found === undefined || pgvectorTopK(stored, stored.get(id)!, 3, id).every((expected) => found.includes(expected)), `query ${id}`);
        }
      }
    });

    test('scans every row of random vectors, where nothing can be skipped, and finds the same products', async () => {
      const random = seededRandom(10);
      const stored = new Map(Array.from({ length: 600 }, (_, i) => [i + 1, randomVector(random, DIMENSIONS)]));
      const table = await partitionedTable(stored);
      await assertCandidatesHoldTopK(table, stored, [1, 2, 3, 300, 600], 6);
    });
  });
}

describe('a partitioned VectorTable whose helper thread stops', () => {
  test('finds every product pgvector returns while the thread stops in the middle of its scans, and after, alone', async () => {
    await helperRunning();
    const stored = clusteredCatalog(seededRandom(14), 24, 40);
    const table = await partitionedTableOf(stored, new VectorTable(undefined, undefined, { minRows: 0 }));
    const before = ScanHelper.stats().batches;
    await assertCandidatesHoldTopK(table, stored, [1, 2, 3], 6);
    assert.ok(ScanHelper.stats().batches > before, 'the helper read no batch');
    const stopping = ScanHelper.stop();
    await assertCandidatesHoldTopK(table, stored, stored.keys(), 6);
    await stopping;
    assert.equal(ScanHelper.stats().running, false);
    await assertCandidatesHoldTopK(table, stored, [5, 500, 960], 6);
  });
});
