import { DomainError } from '../errors.js';

/** What a store may keep in an attribute: a string, a number, a boolean, or a list of strings (sizes, colours, countries). */
export type AttributeValue = string | number | boolean | readonly string[];

/** A product's own fields, as the store names them (price, brand, inStock, ...): stored as given, never interpreted by the service. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

export const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** The limits of one product's attributes; SECURITY.md and the schema state them. */
export const ATTRIBUTE_LIMITS = {
  keys: 64,
  /** A key: letters, digits and `_ - . :`, as feed columns are named. */
  keyLength: 64,
  stringLength: 1024,
  listLength: 100,
  listItemLength: 256,
  /** The whole object as JSON, in UTF-8 bytes. */
  bytes: 16 * 1024,
} as const;

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
/** As product texts (product-text.ts): control characters, bidirectional controls, surrogate halves, noncharacters. */
const FORBIDDEN = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const refuse = (key: string, why: string) =>
  new DomainError('BAD_USER_INPUT', `attributes.${key.slice(0, ATTRIBUTE_LIMITS.keyLength)}: ${why}`, { field: 'attributes', key: key.slice(0, ATTRIBUTE_LIMITS.keyLength) });

/** Checks an attribute key; throws BAD_USER_INPUT naming it. */
export function assertAttributeKey(key: string, field = 'attributes'): void {
  // `__proto__` and its kin would be prototypes, not keys, in the objects that hold attributes.
  if (key.length === 0 || key.length > ATTRIBUTE_LIMITS.keyLength || !KEY.test(key) || key.startsWith('__')) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `${field}: ${JSON.stringify(key.slice(0, ATTRIBUTE_LIMITS.keyLength))} is not an attribute key (1 to ${ATTRIBUTE_LIMITS.keyLength} letters, digits and _ - . :, not starting with - . : or __)`,
      { field, key: key.slice(0, ATTRIBUTE_LIMITS.keyLength) },
    );
  }
}

/**
 * A store's attributes as the API gives them, checked against the limits
 * and returned as a frozen copy in the key order given. Throws BAD_USER_INPUT
 * naming the key at fault.
 */
export function attributesOf(input: unknown): Attributes {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new DomainError('BAD_USER_INPUT', 'attributes must be a JSON object', { field: 'attributes' });
  }
  const entries = Object.entries(input);
  if (entries.length > ATTRIBUTE_LIMITS.keys) {
    throw new DomainError('BAD_USER_INPUT', `attributes may have at most ${ATTRIBUTE_LIMITS.keys} keys, not ${entries.length}`, { field: 'attributes' });
  }
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, value] of entries) {
    assertAttributeKey(key);
    attributes[key] = attributeValue(key, value);
  }
  const bytes = Buffer.byteLength(JSON.stringify(attributes));
  if (bytes > ATTRIBUTE_LIMITS.bytes) {
    throw new DomainError('BAD_USER_INPUT', `attributes are ${bytes} bytes as JSON, over the limit of ${ATTRIBUTE_LIMITS.bytes}`, { field: 'attributes' });
  }
  return Object.freeze(attributes);
}

function attributeValue(key: string, value: unknown): AttributeValue {
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(key, 'a number must be finite');
      // JSON has one zero; -0 would come back from the database as 0.
      return value === 0 ? 0 : value;
    case 'string':
      assertText(key, value, ATTRIBUTE_LIMITS.stringLength);
      return value;
    default:
      if (Array.isArray(value)) {
        if (value.length > ATTRIBUTE_LIMITS.listLength) throw refuse(key, `a list may hold at most ${ATTRIBUTE_LIMITS.listLength} strings`);
        for (const item of value) {
          if (typeof item !== 'string') throw refuse(key, 'a list may hold only strings');
          assertText(key, item, ATTRIBUTE_LIMITS.listItemLength);
        }
        return Object.freeze([...(value as string[])]);
      }
      throw refuse(key, value === null ? 'null is no value (leave the key out)' : 'a value is a string, a number, a boolean or a list of strings');
  }
}

function assertText(key: string, value: string, maxLength: number): void {
  if (value.length > maxLength) throw refuse(key, `a string may have at most ${maxLength} characters`);
  const match = FORBIDDEN.exec(value);
  if (match) throw refuse(key, `must not contain U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
}

/**
 * A JSON merge patch (RFC 7396) of attributes: a key with a value sets it, a
 * key with null removes it, keys left out keep theirs.
 */
export function patchAttributes(current: Attributes, patch: unknown): Attributes {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new DomainError('BAD_USER_INPUT', 'attributesPatch must be a JSON object', { field: 'attributesPatch' });
  }
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return attributesOf(merged);
}
