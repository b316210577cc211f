import { neighbourFilter, type NeighbourFilter } from '../domain/neighbour-filter.js';
import { DomainError } from '../errors.js';
import type { InputMaybe, SimilarityFilter } from './generated/resolvers-types.js';
import { parseId } from './ids.js';

/** A SimilarityFilter and maxDistance as the services take them. */
export function similarityFilter(filter: InputMaybe<SimilarityFilter> | undefined, maxDistance: InputMaybe<number> | undefined): NeighbourFilter {
  return neighbourFilter(
    filter && {
      categories: filter.categories,
      excludeCategories: filter.excludeCategories,
      excludeIds: filter.excludeIds && excludedIds(filter.excludeIds),
      where: filter.where,
    },
    maxDistance,
  );
}

/** An id that is not one this service hands out is a client's mistake, not an id to ignore. */
function excludedIds(ids: readonly string[]): number[] {
  return ids.map((id) => {
    const value = parseId(id);
    if (value === undefined) throw new DomainError('BAD_USER_INPUT', `filter.excludeIds holds ${JSON.stringify(id.slice(0, 40))}, not a product id`, { field: 'excludeIds' });
    return value;
  });
}
