import { DomainError } from '../errors.js';

export type TextField = 'sku' | 'name' | 'category';

/**
 * Control characters (NUL among them: Postgres cannot store it), halves of
 * surrogate pairs (UTF-8 cannot encode them; a driver would store U+FFFD
 * instead), and noncharacters. Tab and newline are refused too: all three
 * fields are one-line labels that storefronts show in lists and match on.
 * Bidirectional embeddings, overrides, isolates and marks are refused as
 * controls: they reorder what a reader sees ("Trojan Source"), so a label
 * could show one text and be another.
 */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Throws BAD_USER_INPUT naming the field and the first character no product text may hold. */
export function assertProductText(field: TextField, value: string): void {
  const match = FORBIDDEN.exec(value);
  if (!match) return;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  throw new DomainError('BAD_USER_INPUT', `${field} must not contain U+${code} (at position ${match.index})`, { field });
}

/** Invisible characters that make two spellings of a label look the same and differ. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
/** Every whitespace JavaScript's \s knows, spelled out: migrations/006 uses the same list. */
const WHITESPACE = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * A label as the catalog stores and matches it: zero-width characters
 * removed, NFC, each run of whitespace one space, trimmed. Spellings a reader
 * cannot tell apart are then one label.
 */
export function normalizeProductText(value: string): string {
  return value.replace(ZERO_WIDTH, '').normalize('NFC').replace(WHITESPACE, ' ').trim();
}
