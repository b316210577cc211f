import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapMean } from '../../src/evaluation/bootstrap-interval.js';
import { seededRandom } from '../../src/util/seeded-random.js';

/** Precision@6 of `n` queries whose neighbours each share their category with probability `p`. */
function precisions(n: number, p: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: 6 }, () => (random() < p ? 1 : 0) as number).reduce((a, b) => a + b) / 6);
}

test('the estimate is the mean of the values, inside its interval', () => {
  const values = precisions(300, 0.8, 1);
  const { mean, low, high } = bootstrapMean(values);
  assert.equal(mean, values.reduce((a, b) => a + b) / values.length);
  assert.ok(low < mean && mean < high, `${low} ${mean} ${high}`);
});

test('values that are all equal give an interval of zero width', () => {
  const { mean, low, high } = bootstrapMean(Array(50).fill(5 / 6));
  assert.equal(low, high);
  assert.ok(Math.abs(mean - 5 / 6) < 1e-12 && Math.abs(low - 5 / 6) < 1e-12, `${mean} ${low}`);
});

test('the same seed gives the same interval, another seed a slightly different one', () => {
  const values = precisions(200, 0.7, 2);
  assert.deepEqual(bootstrapMean(values, { seed: 7 }), bootstrapMean(values, { seed: 7 }));
  const other = bootstrapMean(values, { seed: 8 });
  const first = bootstrapMean(values, { seed: 7 });
  assert.notDeepEqual(other, first);
  assert.ok(Math.abs(other.low - first.low) < 0.01 && Math.abs(other.high - first.high) < 0.01, `${JSON.stringify([first, other])}`);
});

test('the interval narrows as the queries grow, about as one over their square root', () => {
  const width = (n: number) => {
    const { low, high } = bootstrapMean(precisions(n, 0.75, 3));
    return high - low;
  };
  const ratio = width(100) / width(1600);
  assert.ok(ratio > 3 && ratio < 5, `width ratio ${ratio}, expected about 4`);
});

test('a 95% interval holds the true mean in about 95% of samples', () => {
  const p = 0.75;
  const samples = 200;
  let covered = 0;
  for (let s = 0; s < samples; s++) {
    const { low, high } = bootstrapMean(precisions(150, p, 100 + s), { seed: s });
    if (low <= p && p <= high) covered++;
  }
  // The percentile bootstrap runs a little under its nominal level at small sizes; a broken one is far off.
  assert.ok(covered >= 0.88 * samples && covered <= 0.99 * samples, `covered ${covered} of ${samples}`);
});

test('a wider confidence gives a wider interval', () => {
  const values = precisions(200, 0.7, 4);
  const narrow = bootstrapMean(values, { confidence: 0.5 });
  const wide = bootstrapMean(values, { confidence: 0.99 });
  assert.ok(wide.low < narrow.low && narrow.high < wide.high);
});

test('no values give NaN; bad options are refused', () => {
  const none = bootstrapMean([]);
  assert.ok(Number.isNaN(none.mean) && Number.isNaN(none.low) && Number.isNaN(none.high));
  for (const options of [{ resamples: 0 }, { resamples: 2.5 }, { confidence: 0 }, { confidence: 1 }, { confidence: NaN }]) {
    assert.throws(() => bootstrapMean([1, 0], options), RangeError, JSON.stringify(options));
  }
});
