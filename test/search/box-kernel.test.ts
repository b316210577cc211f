import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Boxes } from '../../src/search/box-kernel.js';
import { PROJECTED } from '../../src/search/projection.js';
import { seededRandom } from '../../harness/vectors.js';

/** Σ_j max(low − y, y − high, 0)² summed in order, in double: what partition.ts summed in JavaScript. */
function reference(boxes: Boxes, box: number, query: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < PROJECTED; j++) {
    const gap = Math.max(boxes.low[box * PROJECTED + j]! - query[j]!, query[j]! - boxes.high[box * PROJECTED + j]!, 0);
    sum += gap * gap;
  }
  return sum;
}

function randomBoxes(count: number, random: () => number): Boxes {
  const boxes = new Boxes(count);
  for (let at = 0; at < count * PROJECTED; at++) {
    const low = Math.fround((random() * 2 - 1) * 40);
    boxes.low[at] = low;
    // Every fifth coordinate a single value: a box of one row.
    boxes.high[at] = at % 5 === 0 ? low : Math.fround(low + random() * 20);
  }
  return boxes;
}

describe('the box kernel', () => {
  test("gives each box the squared distance from the query's coordinates, as summed in order within the bound's margin", () => {
    const random = seededRandom(31);
    const boxes = randomBoxes(301, random);
    for (let trial = 0; trial < 20; trial++) {
      // Some coordinates inside their box, some below, some above, some on an edge.
      const box = Math.floor(random() * boxes.count);
      const query = Float32Array.from({ length: PROJECTED }, (_, j) => {
        const [low, high] = [boxes.low[box * PROJECTED + j]!, boxes.high[box * PROJECTED + j]!];
        return [low, high, (low + high) / 2, low - random() * 30, high + random() * 30][Math.floor(random() * 5)]!;
      });
      const gaps = boxes.gaps(query);
      for (let b = 0; b < boxes.count; b++) {
        const expected = reference(boxes, b, query);
        assert.ok(Math.abs(gaps[b]! - expected) <= expected * 2 ** -45, `box ${b}: ${gaps[b]} against ${expected}`);
      }
    }
  });

  test('gives 0 to a box that holds the query, and sees a box widened in place', () => {
    const boxes = randomBoxes(4, seededRandom(32));
    const query = Float32Array.from({ length: PROJECTED }, (_, j) => boxes.high[2 * PROJECTED + j]!);
    assert.equal(boxes.gaps(query)[2], 0);
    assert.ok(boxes.gaps(query)[3]! > 0);
    for (let j = 0; j < PROJECTED; j++) {
      boxes.low[3 * PROJECTED + j] = Math.min(boxes.low[3 * PROJECTED + j]!, query[j]!);
      boxes.high[3 * PROJECTED + j] = Math.max(boxes.high[3 * PROJECTED + j]!, query[j]!);
    }
    assert.equal(boxes.gaps(query)[3], 0);
  });

  test('gives NaN, never a smaller gap, where a coordinate is not finite', () => {
    const boxes = randomBoxes(3, seededRandom(33));
    const query = Float32Array.from({ length: PROJECTED }, () => 0);
    boxes.low[PROJECTED + 7] = Infinity;
    boxes.high[PROJECTED + 7] = Infinity;
    query[7] = Infinity;
    const gaps = boxes.gaps(query);
    assert.ok(Number.isNaN(gaps[1]), `${gaps[1]}`);
    assert.equal(gaps[0], Infinity);
  });
});
