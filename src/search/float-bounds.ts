// pgvector's float32 distances, bounded: candidates.ts proves with these
// constants that a row it leaves out ranks after the k-th pgvector returns.

const UNIT_ROUNDOFF = 2 ** -24;
const SMALLEST_NORMAL = 2 ** -126;
const FLOAT32_MAX = 3.4028234663852886e38;
/** Relative room every bound adds for the double arithmetic that computes it. */
export const MARGIN = 2 ** -40;

/** γ and A of candidates.ts: a float32 sum of `dimensions` squared differences is within (1 ± γ) of the true one, less A for underflow. */
export function rounding(dimensions: number): { gamma: number; absolute: number } {
  const roundings = (dimensions + 2) * UNIT_ROUNDOFF;
  return { gamma: roundings / (1 - roundings), absolute: 2 * dimensions * SMALLEST_NORMAL };
}

/**
 * D above, from U, the k-th smallest upper bound on a true distance; or
 * undefined where pgvector's float32 sums could overflow, and the bound
 * would not hold.
 */
export function rankingBound(kthUpper: number, dimensions: number): number | undefined {
  const { gamma, absolute } = rounding(dimensions);
  const ranked = (1 + gamma) * kthUpper * kthUpper * (1 + MARGIN) + absolute;
  if (!(ranked < FLOAT32_MAX)) return undefined;
  return Math.sqrt((ranked + absolute) / (1 - gamma)) * (1 + MARGIN);
}

/**
 * Whether every row a candidate set left out ranks after a row at
 * pgvector's distance `kth`: a left-out row is truly further than `reach`
 * (above), so pgvector computes its squared distance at least
 * (1 - γ)·reach² - A; when the k-th row's is below that, no left-out row,
 * however its tie-break by id falls, can take its place. Used when
 * pgvector ranked the candidates at a later generation than the scan's: the
 * rows changed in between are ranked by pgvector too, and every other row
 * was scanned as it then stood.
 */
export function ranksBeforeLeftOut(kth: number, reach: number, dimensions: number): boolean {
  if (!(reach < Infinity)) return false;
  const { gamma, absolute } = rounding(dimensions);
  return kth * kth * (1 + MARGIN) < ((1 - gamma) * reach * reach - absolute) * (1 - MARGIN);
}
