/** Invisible characters that make two spellings of a category look the same and differ. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
/** Every whitespace JavaScript's \s knows, spelled out: migrations/006 uses the same list. */
const WHITESPACE = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * A category as the catalog stores it: zero-width characters removed, NFC,
 * each run of whitespace one space, trimmed; null when nothing is left.
 * Case is kept: the catalog matches categories ignoring case and keeps the
 * first spelling it stored (ProductRepository.categorySpellings).
 */
export function normalizeCategory(category: string): string | null {
  const normalized = category.replace(ZERO_WIDTH, '').normalize('NFC').replace(WHITESPACE, ' ').trim();
  return normalized.length > 0 ? normalized : null;
}
