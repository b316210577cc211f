import { DomainError } from '../errors.js';

export type TextField = 'sku' | 'name' | 'category';

/**
 * Control characters (NUL among them: Postgres cannot store it), halves of
 * surrogate pairs (UTF-8 cannot encode them; a driver would store U+FFFD
 * instead), and noncharacters. Tab and newline are refused too: all three
 * fields are one-line labels that storefronts show in lists and match on.
 */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** Throws BAD_USER_INPUT naming the field and the first character no product text may hold. */
export function assertProductText(field: TextField, value: string): void {
  const match = FORBIDDEN.exec(value);
  if (!match) return;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  throw new DomainError('BAD_USER_INPUT', `${field} must not contain U+${code} (at position ${match.index})`, { field });
}
