import { seededRandom } from '../util/seeded-random.js';

/** A mean with the interval that likely holds the mean of the population the values were drawn from. */
export interface MeanEstimate {
  mean: number;
  low: number;
  high: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1000, confidence: 0.95, seed: 42 };

export interface BootstrapOptions {
  /** How many resamples; 1,000 puts the 95% bounds' own noise well under a tenth of the interval. */
  resamples?: number;
  /** The share of resampled means the interval spans. */
  confidence?: number;
  /** The same seed and values give the same interval. */
  seed?: number;
}

/**
 * The mean of `values` with a percentile bootstrap interval: draw as many
 * values again with replacement, take that resample's mean, and read the
 * interval off the middle `confidence` share of the resampled means. It
 * assumes nothing about the values' distribution, and precision@6 takes
 * only seven values, from 0 to 1 in sixths. No values give NaN throughout.
 */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): MeanEstimate {
  const { resamples, confidence, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a whole number of at least 1, not ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie between 0 and 1, not ${confidence}`);
  const n = values.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN };

  const random = seededRandom(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return { mean: sum(values) / n, low: quantileOfSorted(means, tail), high: quantileOfSorted(means, 1 - tail) };
}

const sum = (values: readonly number[]) => values.reduce((total, x) => total + x, 0);

/** Linear between the two nearest ranks (R's and NumPy's default). */
function quantileOfSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (h - below) * (sorted[above]! - sorted[below]!);
}
