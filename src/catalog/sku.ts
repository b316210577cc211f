import { DomainError } from '../errors.js';
import { assertProductText, normalizeProductText } from '../domain/product-text.js';

export const MAX_SKU_LENGTH = 128;

/**
 * A sku as the catalog stores and looks it up, normalized as categories are
 * (NFC, zero-width characters removed, whitespace collapsed and trimmed) but
 * with its case kept: `café` typed on one keyboard and pasted from another is
 * one product. Text no sku may hold is BAD_USER_INPUT naming the field.
 */
export function normalizeSku(given: string): string {
  assertProductText('sku', given);
  return normalizeProductText(given);
}

/** A sku for a product to be written: normalized, 1 to MAX_SKU_LENGTH characters. */
export function validSku(given: string): string {
  const sku = normalizeSku(given);
  if (sku.length === 0 || sku.length > MAX_SKU_LENGTH) {
    throw new DomainError('BAD_USER_INPUT', `sku must be 1 to ${MAX_SKU_LENGTH} characters`, { field: 'sku' });
  }
  return sku;
}
