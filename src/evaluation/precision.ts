import type { NeighbourList } from '../ml/nearest-neighbours.js';

/**
 * Mean precision@k: for each query, the share of its k neighbours whose
 * category is the query's, averaged over the queries.
 */
export function meanPrecisionAtK(
  queryCategories: readonly string[],
  neighbours: readonly NeighbourList[],
  catalogCategories: readonly string[],
): number {
  if (queryCategories.length === 0) return NaN;
  let sum = 0;
  queryCategories.forEach((category, i) => {
    const indices = neighbours[i]!.indices;
    const hits = Array.from(indices).filter((index) => catalogCategories[index] === category).length;
    sum += indices.length === 0 ? 0 : hits / indices.length;
  });
  return sum / queryCategories.length;
}
