import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createL2Kernel, QUANTIZED_STEP, webAssembly } from '../../src/search/l2-kernel.js';
import { boxBound } from '../../src/search/partition.js';
import { rowLimitConstants } from '../../src/search/block-scan.js';
import { fitProjection, PROJECTED, Projection, projectedBase, quantizeCoordinates, queryCoordinates, rowWidening, type Coordinates } from '../../src/search/projection.js';
import { seededRandom } from '../../harness/vectors.js';
import { kernelLimit } from './row-limit.js';

const DIMENSIONS = 64;

/** Vectors in the span of the first PROJECTED dimensions: the fitted axes span it, so |U(y − x)| is |y − x| and the bound is tight. */
function inSubspace(random: () => number, scale = 4): Float32Array {
  return Float32Array.from({ length: DIMENSIONS }, (_, d) => (d < PROJECTED ? (random() * 2 - 1) * scale : 0));
}

/** The kernel's float32 sum of (ŷ − p̃)², p̃ standing for `values` at `scale`, as a scan computes it. */
function kernelSum(query: Float32Array, values: Int8Array, scale: number): number {
  const memory = new webAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const kernel = createL2Kernel(memory);
  new Float32Array(memory.buffer, 0, PROJECTED).set(query);
  const row = PROJECTED * 4;
  new Float32Array(memory.buffer, row, 1)[0] = scale;
  new Int8Array(memory.buffer, row + QUANTIZED_STEP, PROJECTED).set(values);
  const out = row + QUANTIZED_STEP + PROJECTED;
  kernel.quantizedSquaredDistances(0, row, 1, QUANTIZED_STEP + PROJECTED, out, PROJECTED, Infinity);
  return new Float32Array(memory.buffer, out, 1)[0]!;
}

function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += (a[d]! - b[d]!) ** 2;
  return Math.sqrt(sum);
}

/** The kernel's sums from x to each pivot, as the partition build gets them. */
function sumsToPivots(projection: Projection, x: Float32Array): Coordinates {
  const memory = new webAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const kernel = createL2Kernel(memory);
  const row = DIMENSIONS * 4;
  const values = new Int8Array(memory.buffer, row + QUANTIZED_STEP, DIMENSIONS);
  // x is int8-exact at scale 1/8 in these tests: the row stands for x itself.
  new Float32Array(memory.buffer, row, 1)[0] = 1 / 8;
  values.set(Array.from(x, (v) => Math.round(v * 8)));
  const out = row + QUANTIZED_STEP + DIMENSIONS;
  const sums: number[] = [];
  for (let g = 0; g <= PROJECTED; g++) {
    new Float32Array(memory.buffer, 0, DIMENSIONS).set(projection.pivots.subarray(g * DIMENSIONS, (g + 1) * DIMENSIONS));
    kernel.quantizedSquaredDistances(0, row, 1, QUANTIZED_STEP + DIMENSIONS, out, DIMENSIONS, Infinity);
    sums.push(new Float32Array(memory.buffer, out, 1)[0]!);
  }
  // One row: sums[pivot·rows + slot] with rows = 1, slot = 0.
  return projection.coordinatesFromSums(Float32Array.from(sums), 1, 0);
}

describe('projected coordinates', () => {
  test('never prove a row further than it is, from its own coordinates or from its sums to the pivots, and are tight enough that leaving out the row slack breaks them', async () => {
    const random = seededRandom(3);
    const projection = await fitProjection(Array.from({ length: 400 }, () => inSubspace(random)), DIMENSIONS, random);
    let brokenWithoutRowSlack = 0;
    for (let pair = 0; pair < 3000; pair++) {
      // int8-exact at 1/8, so the stored vector is x itself (radius 0).
      const x = inSubspace(random).map((v) => Math.round(v * 8) / 8);
      const y = pair % 2 ? x.map((v, d) => (d < PROJECTED ? v + (random() * 2 - 1) * 0.02 : 0)) : inSubspace(random);
      const projectedQuery = new Float32Array(PROJECTED);
      const querySlack = queryCoordinates(projection, y, projectedQuery);
      const trueDistance = distance(y, x);
      for (const estimate of [projection.coordinates(x), sumsToPivots(projection, x)]) {
        const values = new Int8Array(PROJECTED);
        const { scale, slack } = quantizeCoordinates(estimate, values, 0, new Float32Array(PROJECTED), 0);
        const sum = kernelSum(projectedQuery, values, scale);
        // The kernel's limit for a row of radius 0 (block-kernel.ts).
        const limit = (rowSlack: number) => kernelLimit(projectedBase(projection.norm, trueDistance, querySlack), rowWidening(projection.norm, 0, rowSlack), rowLimitConstants(PROJECTED));
        assert.ok(sum <= limit(slack), `pair ${pair}: a row at ${trueDistance} proven further`);
        if (sum > limit(0)) brokenWithoutRowSlack++;
      }
    }
    assert.ok(brokenWithoutRowSlack > 0, 'the row slack is never needed: these pairs do not test it');
  });

  test('bound a block from below by its box: never past a row of it, and past some without the slacks', async () => {
    const random = seededRandom(6);
    const projection = await fitProjection(Array.from({ length: 400 }, () => inSubspace(random)), DIMENSIONS, random);
    let brokenWithoutSlacks = 0;
    for (let block = 0; block < 300; block++) {
      // Blocks of one row with a query beside it make the bound tight; blocks of four test the box itself.
      const rows = Array.from({ length: block % 2 ? 1 : 4 }, () => inSubspace(random).map((v) => Math.round(v * 8) / 8));
      const low = new Float64Array(PROJECTED).fill(Infinity);
      const high = new Float64Array(PROJECTED).fill(-Infinity);
      let rowSlack = 0;
      for (const row of rows) {
        const coordinates = new Float32Array(PROJECTED);
        const { slack } = quantizeCoordinates(projection.coordinates(row), new Int8Array(PROJECTED), 0, coordinates, 0);
        rowSlack = Math.max(rowSlack, slack);
        coordinates.forEach((value, j) => ([low[j], high[j]] = [Math.min(low[j]!, value), Math.max(high[j]!, value)]));
      }
      const query = rows[0]!.map((v, d) => (d < PROJECTED ? v + (random() * 2 - 1) * (block % 2 ? 0.02 : 0.5) : 0));
      const projectedQuery = new Float32Array(PROJECTED);
      const querySlack = queryCoordinates(projection, query, projectedQuery);
      let gaps = 0;
      projectedQuery.forEach((y, j) => (gaps += Math.max(low[j]! - y, y - high[j]!, 0) ** 2));
      const nearest = Math.min(...rows.map((row) => distance(query, row)));
      assert.ok(boxBound(gaps, projection.norm, querySlack, rowSlack, 0) <= nearest, `block ${block}: bound past its nearest row at ${nearest}`);
      if (boxBound(gaps, projection.norm, 0, 0, 0) > nearest) brokenWithoutSlacks++;
    }
    assert.ok(brokenWithoutSlacks > 0, 'the slacks are never needed: these blocks do not test them');
  });

  test('bound the map by σ even when its axes are not orthonormal, where σ = 1 would not hold', () => {
    const random = seededRandom(4);
    const pivots = new Float32Array((PROJECTED + 1) * DIMENSIONS);
    const axis = Float32Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);
    const length = Math.hypot(...axis);
    // Every axis the same direction: ‖U‖ = sqrt(PROJECTED).
    for (let j = 1; j <= PROJECTED; j++) for (let d = 0; d < DIMENSIONS; d++) pivots[j * DIMENSIONS + d] = axis[d]! / length;
    const projection = new Projection(DIMENSIONS, pivots, 1);
    assert.ok(projection.norm >= Math.sqrt(PROJECTED) * (1 - 1e-6), `σ ${projection.norm}`);
    const along = Float32Array.from(axis, (v) => v / length);
    const { values } = projection.coordinates(along);
    const image = Math.hypot(...values);
    const size = Math.hypot(...along);
    assert.ok(image > 1.5 * size, `|U(a)| ${image} for |a| = ${size}: σ = 1 would not bound it`);
    assert.ok(image <= projection.norm * size, `|U(a)| ${image} past σ|a| ${projection.norm * size}`);
  });

  test('leave a row that overflows float32 unbounded', async () => {
    const random = seededRandom(5);
    const projection = await fitProjection(Array.from({ length: 100 }, () => inSubspace(random)), DIMENSIONS, random);
    const values = new Int8Array(PROJECTED);
    const sums = Float32Array.from({ length: PROJECTED + 1 }, (_, pivot) => (pivot === 3 ? Infinity : 1));
    const { slack } = quantizeCoordinates(projection.coordinatesFromSums(sums, 1, 0), values, 0, new Float32Array(PROJECTED), 0);
    assert.equal(slack, Infinity);
    assert.equal(rowWidening(projection.norm, 0, slack), Infinity);
  });
});
