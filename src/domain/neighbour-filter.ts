import { DomainError } from '../errors.js';
import { attributeConditions, type AttributeCondition, type AttributeConditionInput } from './attribute-condition.js';
import { categoryKey, normalizeCategory } from './category.js';
import { assertProductText } from './product-text.js';

/**
 * What a similarity answer is restricted to, in the form the database and the
 * search index both apply: every condition holds (AND).
 */
export interface NeighbourFilter {
  /** Category keys (category.ts) a neighbour must have one of; undefined admits every product, uncategorized ones too. */
  categoryKeys?: readonly string[] | undefined;
  /** Category keys no neighbour may have; products without a category stay. */
  excludedCategoryKeys: readonly string[];
  excludedIds: readonly number[];
  /** pgvector's L2 distance a neighbour may have at most: a neighbour exactly at it is kept. */
  maxDistance?: number | undefined;
  /** The store's rules on attributes (attribute-condition.ts): every one holds. */
  where: readonly AttributeCondition[];
}

export const NO_FILTER: NeighbourFilter = { excludedCategoryKeys: [], excludedIds: [], where: [] };

export const MAX_FILTER_CATEGORIES = 100;
export const MAX_FILTER_IDS = 1000;
/** As for a product's category (CatalogService): a longer one is a mistake, not a category. */
const MAX_CATEGORY_LENGTH = 128;

export interface FilterInput {
  categories?: readonly string[] | null | undefined;
  excludeCategories?: readonly string[] | null | undefined;
  excludeIds?: readonly number[] | null | undefined;
  where?: readonly AttributeConditionInput[] | null | undefined;
}

/** Validates a filter as the API gives it; throws BAD_USER_INPUT naming the field at fault. */
export function neighbourFilter(input: FilterInput | null | undefined, maxDistance: number | null | undefined): NeighbourFilter {
  if (maxDistance !== null && maxDistance !== undefined && !(Number.isFinite(maxDistance) && maxDistance >= 0)) {
    throw new DomainError('BAD_USER_INPUT', 'maxDistance must be a finite number, 0 or more', { field: 'maxDistance' });
  }
  const excludedIds = input?.excludeIds ?? [];
  if (excludedIds.length > MAX_FILTER_IDS) {
    throw new DomainError('BAD_USER_INPUT', `filter.excludeIds may list at most ${MAX_FILTER_IDS} ids`, { field: 'excludeIds' });
  }
  const categories = input?.categories;
  return {
    categoryKeys: categories === null || categories === undefined ? undefined : categoryKeys('categories', categories),
    excludedCategoryKeys: categoryKeys('excludeCategories', input?.excludeCategories ?? []),
    excludedIds: [...new Set(excludedIds)],
    maxDistance: maxDistance ?? undefined,
    where: attributeConditions('filter.where', input?.where),
  };
}

/** Keys as stored; a category empty after normalization names no product, so it drops out. */
function categoryKeys(field: 'categories' | 'excludeCategories', categories: readonly string[]): string[] {
  if (categories.length > MAX_FILTER_CATEGORIES) {
    throw new DomainError('BAD_USER_INPUT', `filter.${field} may list at most ${MAX_FILTER_CATEGORIES} categories`, { field });
  }
  const keys = new Set<string>();
  for (const category of categories) {
    assertProductText('category', category);
    const normalized = normalizeCategory(category);
    if (normalized !== null && normalized.length > MAX_CATEGORY_LENGTH) {
      throw new DomainError('BAD_USER_INPUT', `filter.${field} holds a category over ${MAX_CATEGORY_LENGTH} characters`, { field });
    }
    if (normalized !== null) keys.add(categoryKey(normalized));
  }
  return [...keys];
}
