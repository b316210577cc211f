import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IndexCapacityError, VectorTable } from '../../src/search/vector-table.js';
import { pauseIfLong, SLICE_MS } from '../../src/util/time-slice.js';
import { randomVector, seededRandom } from '../../harness/vectors.js';

/** Multiples of 1/16 up to 127/16, one of them ±127/16: int8 with scale 1/16 holds them exactly, and every float32 sum of 512 of their squared differences from a quarter-step query is exact. */
function int8GridVector(random: () => number, dimensions: number): Float32Array {
  const vector = Float32Array.from({ length: dimensions }, () => Math.round(random() * 254 - 127) / 16 + 0);
  vector[Math.floor(random() * dimensions)] = random() < 0.5 ? 127 / 16 : -127 / 16;
  return vector;
}

function squaredL2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

/** The nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return rounded - x === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/**
 * A row as row-quantizer.ts defines it: s = fround(max|x| / 127), q the
 * nearest integer to fround(x / s), ties to even, within ±127, and
 * |x - fround(q·s)| with the squares summed in double in four interleaved
 * sums, s[i mod 4], added as (s0 + s2) + (s1 + s3).
 */
function quantized(vector: Float32Array): { scale: number; values: Int8Array; distance: number } {
  const scale = Math.fround(Math.max(0, ...Array.from(vector, Math.abs)) / 127);
  const values = Int8Array.from(vector, (x) => (scale === 0 ? 0 : Math.max(-127, Math.min(127, roundHalfEven(Math.fround(x / scale))))));
  const sums = new Float64Array(4);
  vector.forEach((x, i) => {
    sums[i % 4]! += (x - Math.fround(values[i]! * scale)) ** 2;
  });
  return { scale, values, distance: Math.sqrt(sums[0]! + sums[2]! + (sums[1]! + sums[3]!)) };
}

async function distancesById(table: VectorTable, query: Float32Array): Promise<Map<number, number>> {
  const { distances, ids } = await table.squaredDistances(query);
  return new Map(Array.from(ids, (id, i) => [id, distances[i]!]));
}

describe('VectorTable', () => {
  for (const dimensions of [512, 3, 17, 100]) {
    test(`holds int8-exact vectors with radius 0 and exact distances (${dimensions} dimensions)`, async () => {
      const random = seededRandom(dimensions);
      const table = new VectorTable();
      const vectors = new Map(Array.from({ length: 300 }, (_, i) => [i * 7 + 1, int8GridVector(random, dimensions)]));
      for (const [id, vector] of vectors) table.set(id, vector);
      const query = Float32Array.from({ length: dimensions }, () => Math.round(random() * 64 - 32) / 4);
      const found = await distancesById(table, query);
      assert.equal(found.size, vectors.size);
      for (const [id, vector] of vectors) {
        assert.deepEqual(table.vectorOf(id), vector, `product ${id}`);
        assert.equal(table.radiusOf(id), 0);
        assert.equal(found.get(id), squaredL2(query, vector), `product ${id}`);
      }
    });
  }

  for (const dimensions of [512, 2048]) {
    test(`bounds each vector by its radius, and scans the quantized vectors within float32 rounding (${dimensions} dimensions)`, async () => {
      const random = seededRandom(3);
      const table = new VectorTable();
      const vectors = Array.from({ length: 200 }, (_, i) => randomVector(random, dimensions).map((x) => x * 10 ** ((i % 9) - 4)));
      vectors.forEach((vector, id) => table.set(id, vector));
      const query = randomVector(random, dimensions);
      for (const [id, distance] of await distancesById(table, query)) {
        const stored = table.vectorOf(id)!;
        const error = Math.sqrt(squaredL2(stored, vectors[id]!));
        const scale = Math.max(...vectors[id]!.map(Math.abs)) / 127;
        assert.ok(error <= table.radiusOf(id)!, `product ${id}: off by ${error}, radius ${table.radiusOf(id)}`);
        // Rounding to the nearest step: at most half a step per value.
        assert.ok(table.radiusOf(id)! <= (scale / 2) * Math.sqrt(dimensions) * 1.0001, `product ${id}`);
        const exact = squaredL2(query, stored);
        assert.ok(Math.abs(distance - exact) <= (dimensions + 2) * 2 ** -24 * exact, `product ${id}`);
      }
    });
  }

  for (const dimensions of [512, 3, 17, 100, 2048]) {
    test(`writes each row as the kernel defines it, halves, the float32 steps beside them and extremes included (${dimensions} dimensions)`, () => {
      const random = seededRandom(dimensions);
      const vectors: Float32Array[] = [];
      for (let i = 0; i < 300; i++) vectors.push(randomVector(random, dimensions).map((x) => x * 10 ** ((i % 13) - 6)));
      // With max|x| = 127/16 the scale is 1/16, and (k + 1/2)/16 lies on a half, ±1 float32 step from it beside it.
      for (const nudge of [-1, 0, 1]) {
        const halves = Float32Array.from({ length: dimensions }, (_, i) => (((i % 255) - 127 + 0.5) / 16) * (1 + nudge * 2 ** -23));
        halves[0] = 127 / 16;
        vectors.push(halves, halves.map((x) => -x));
      }
      const extremes = [0, 1e-45, 3e38, -3.4e38, Number.NaN].map((x) => Float32Array.from({ length: dimensions }, (_, i) => (i % 3 === 0 ? x : x / 3)));
      vectors.push(...extremes);
      const table = new VectorTable();
      vectors.forEach((vector, id) => table.set(id, vector));
      const { rows, rowBytes } = table.image();
      vectors.forEach((vector, id) => {
        const { scale, values, distance } = quantized(vector);
        const row = Buffer.from(rows.subarray(id * rowBytes, (id + 1) * rowBytes));
        assert.equal(row.readFloatLE(0), scale, `product ${id}`);
        assert.deepEqual(new Int8Array(row.buffer, row.byteOffset + 16, dimensions), values, `product ${id}`);
        assert.ok(new Int8Array(row.buffer, row.byteOffset + 16 + dimensions, rowBytes - 16 - dimensions).every((q) => q === 0), `product ${id}: padding`);
        assert.equal(table.radiusOf(id), distance * (1 + 2 ** -40), `product ${id}`);
      });
    });
  }

  test('replaces, deletes and moves rows without mixing up their ids, categories or radii', async () => {
    const random = seededRandom(5);
    const table = new VectorTable();
    const vectors = new Map<number, Float32Array>();
    const categories = new Map<number, number>();
    for (let step = 0; step < 3000; step++) {
      const id = Math.floor(random() * 400);
      if (random() < 0.3) {
        table.delete(id);
        vectors.delete(id);
        categories.delete(id);
      } else {
        // Every other vector off the int8 grid: a non-zero radius to carry along.
        const vector = step % 2 ? int8GridVector(random, 20) : randomVector(random, 20);
        const category = Math.floor(random() * 50);
        table.set(id, vector, category);
        vectors.set(id, vector);
        categories.set(id, category);
      }
    }
    assert.equal(table.size, vectors.size);
    const query = int8GridVector(random, 20);
    const found = await distancesById(table, query);
    assert.deepEqual([...found.keys()].sort((a, b) => a - b), [...vectors.keys()].sort((a, b) => a - b));
    const scan = await table.squaredDistances(query);
    assert.deepEqual(new Map(Array.from(scan.ids, (id, i) => [id, scan.categories[i]])), categories);
    for (const [id, vector] of vectors) {
      const stored = table.vectorOf(id)!;
      assert.ok(Math.sqrt(squaredL2(stored, vector)) <= table.radiusOf(id)!, `product ${id}`);
      assert.ok(Math.abs(found.get(id)! - squaredL2(query, stored)) <= 22 * 2 ** -24 * squaredL2(query, stored), `product ${id}`);
    }
    assert.equal(table.vectorOf(1000), undefined);
  });

  test('stops a row past the threshold with a partial sum past it, and sums every other row in full', async () => {
    const random = seededRandom(11);
    const full = new VectorTable();
    const chunked = new VectorTable(undefined, 16);
    const vectors = Array.from({ length: 200 }, () => randomVector(random, 512).map((x) => x * (random() < 0.5 ? 0.1 : 3)));
    vectors.forEach((vector, id) => {
      full.set(id, vector);
      chunked.set(id, vector);
    });
    const query = randomVector(random, 512).map((x) => x * 0.1);
    const { distances: exact } = await full.squaredDistances(query);
    const asked: number[] = [];
    const threshold = 100;
    const { distances } = await chunked.squaredDistances(query, {
      threshold: (scanned) => {
        asked.push(scanned.ids.length);
        return threshold;
      },
      reach: () => Infinity,
    });
    assert.deepEqual(asked, Array.from({ length: 13 }, (_, i) => i * 16));
    let stopped = 0;
    for (let i = 0; i < exact.length; i++) {
      if (exact[i]! <= threshold) assert.equal(distances[i], exact[i], `row ${i}`);
      else {
        assert.ok(distances[i]! > threshold && distances[i]! <= exact[i]!, `row ${i}`);
        if (distances[i]! < exact[i]!) stopped++;
      }
    }
    // Far rows pass 100 well before their last column.
    assert.ok(stopped > 50, `${stopped} rows stopped early`);
  });

  test('a scan pauses for the event loop between chunks once the turn has run a slice, and answers as if it had not, beside another scan and a write', async () => {
    const random = seededRandom(12);
    const table = new VectorTable(undefined, 16);
    for (let id = 0; id < 2000; id++) table.set(id, randomVector(random, 64));
    const [first, second] = [randomVector(random, 64), randomVector(random, 64)];
    const expected = [await table.squaredDistances(first), await table.squaredDistances(second)];
    // This turn has run its slice before the scans begin.
    pauseIfLong();
    for (const until = performance.now() + SLICE_MS + 1; performance.now() < until; );
    let turned = false;
    setImmediate(() => (turned = true));
    const scans = Promise.all([table.squaredDistances(first), table.squaredDistances(second)]);
    const written = table.exclusive(() => table.set(2000, first));
    assert.deepEqual(await scans, expected);
    assert.ok(turned, 'the event loop turned during the scans');
    await written;
    assert.equal((await table.squaredDistances(first)).ids.length, 2001, 'the write waited for the scans');
  });

  test('restored from an image whose rows carry no radius in their headers, as snapshots written before the kernel read it there, scans as the table it was taken from', async () => {
    const random = seededRandom(12);
    const table = new VectorTable();
    for (let id = 1; id <= 600; id++) {
      const vector = randomVector(random, 512);
      // A few coarse rows: their radius, far above the others', must reach the kernel.
      if (id % 50 === 0) vector[0] = 100;
      table.set(id, vector);
    }
    const image = table.image();
    const rows = image.rows.slice();
    for (let at = 0; at < rows.length; at += image.rowBytes) rows.fill(0, at + 4, at + 8);
    const restored = VectorTable.restore(image, (into) => into.set(rows));
    await table.partition(64, seededRandom(1));
    await restored.partition(64, seededRandom(1));
    const query = randomVector(random, 512);
    const distances = await distancesById(table, query);
    for (const reach of [...distances.values()].map(Math.sqrt).sort((a, b) => a - b).slice(0, 40)) {
      const scan = async (scanned: VectorTable) => {
        const { ids, distances: sums } = await scanned.squaredDistances(query, { threshold: () => Infinity, reach: () => reach });
        return new Map(Array.from(ids, (id, i) => [id, sums[i]]));
      };
      assert.deepEqual(await scan(restored), await scan(table), `reach ${reach}`);
    }
  });

  test('holds a vector in under a third of its float32 bytes', () => {
    const table = new VectorTable();
    const random = seededRandom(8);
    for (let id = 0; id < 4000; id++) table.set(id, randomVector(random, 512));
    // 512 int8 values, a 16-byte header, 48 bytes of projected coordinates and 4 of scratch a row; reserve grows by a quarter.
    assert.ok(table.bytes < 4000 * 1.25 * (512 + 16 + 48 + 4) + 3 * 65_536, `${table.bytes} bytes`);
  });

  test('refuses vectors and queries of other dimensions', async () => {
    const table = new VectorTable();
    table.set(1, new Float32Array(8));
    assert.throws(() => table.set(2, new Float32Array(9)), /9 dimensions/);
    await assert.rejects(table.squaredDistances(new Float32Array(9)), /9 dimensions/);
  });

  test('says when the vectors would outgrow its memory', () => {
    const table = new VectorTable(8 * 65_536);
    assert.throws(() => {
      for (let id = 0; id < 2000; id++) table.set(id, new Float32Array(512));
    }, IndexCapacityError);
  });
});
