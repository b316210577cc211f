import type { NeighbourList } from './nearest-neighbours.js';

/**
 * Precision@k of each query: the share of its k neighbours whose category is
 * the query's (a query with no neighbours counts as zero).
 */
export function precisionsAtK(
  queryCategories: readonly string[],
  neighbours: readonly NeighbourList[],
  catalogCategories: readonly string[],
): number[] {
  return queryCategories.map((category, i) => {
    const indices = neighbours[i]!.indices;
    const hits = Array.from(indices).filter((index) => catalogCategories[index] === category).length;
    return indices.length === 0 ? 0 : hits / indices.length;
  });
}
