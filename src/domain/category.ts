import { normalizeProductText } from './product-text.js';

/**
 * A category as the catalog stores it: zero-width characters removed, NFC,
 * each run of whitespace one space, trimmed; null when nothing is left.
 * Case is kept: the catalog matches categories ignoring case and keeps the
 * first spelling it stored (ProductRepository.categorySpellings).
 */
export function normalizeCategory(category: string): string | null {
  const normalized = normalizeProductText(category);
  return normalized.length > 0 ? normalized : null;
}

/**
 * What two categories are the same by, ignoring case: computed here once, when
 * a product is written or a filter arrives, and stored beside the category, so
 * no server's collation can disagree with it. Upper then lower case equates
 * what Unicode full case folding does (ß and SS, ς and σ, ﬁ and FI), and
 * JavaScript's case mapping ignores the locale. migrations/006 computes the
 * same key in SQL once, for the rows written before it.
 */
export function categoryKey(category: string): string {
  return category.toUpperCase().toLowerCase();
}
