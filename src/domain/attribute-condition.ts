import { DomainError } from '../errors.js';
import { assertAttributeKey, type Attributes } from './attributes.js';

/** What a condition compares an attribute with. */
export type AttributeScalar = string | number | boolean;

/**
 * A store's rule on one attribute; every part given must hold. Numbers
 * compare as numbers and strings exactly (a number given as a string is a
 * string); a list-valued attribute matches `eq` or `in` when it contains
 * the value; `gte` and `lte` hold only for numbers; a product without the
 * key fails every part but `exists: false`.
 */
export interface AttributeCondition {
  key: string;
  eq?: AttributeScalar | undefined;
  in?: readonly AttributeScalar[] | undefined;
  gte?: number | undefined;
  lte?: number | undefined;
  exists?: boolean | undefined;
}

export const MAX_CONDITIONS = 20;
export const MAX_IN_VALUES = 100;

export interface AttributeConditionInput {
  key: string;
  eq?: unknown;
  in?: readonly unknown[] | null | undefined;
  gte?: number | null | undefined;
  lte?: number | null | undefined;
  exists?: boolean | null | undefined;
}

/** Checks conditions as the API gives them; throws BAD_USER_INPUT naming the field at fault. */
export function attributeConditions(field: string, inputs: readonly AttributeConditionInput[] | null | undefined): AttributeCondition[] {
  if (!inputs) return [];
  if (inputs.length > MAX_CONDITIONS) throw new DomainError('BAD_USER_INPUT', `${field} may hold at most ${MAX_CONDITIONS} conditions`, { field });
  return inputs.map((input) => {
    assertAttributeKey(input.key, field);
    const condition: AttributeCondition = { key: input.key };
    const at = `${field} on ${input.key}`;
    if (input.eq !== null && input.eq !== undefined) condition.eq = scalar(at, 'eq', input.eq);
    if (input.in !== null && input.in !== undefined) {
      if (input.in.length > MAX_IN_VALUES) throw new DomainError('BAD_USER_INPUT', `${at}: in may list at most ${MAX_IN_VALUES} values`, { field });
      condition.in = input.in.map((value) => scalar(at, 'in', value));
    }
    for (const bound of ['gte', 'lte'] as const) {
      const value = input[bound];
      if (value === null || value === undefined) continue;
      if (!Number.isFinite(value)) throw new DomainError('BAD_USER_INPUT', `${at}: ${bound} must be a finite number`, { field });
      condition[bound] = value;
    }
    if (input.exists !== null && input.exists !== undefined) condition.exists = input.exists;
    if (Object.keys(condition).length === 1) throw new DomainError('BAD_USER_INPUT', `${at}: give eq, in, gte, lte or exists`, { field });
    return condition;
  });
}

function scalar(at: string, part: string, value: unknown): AttributeScalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new DomainError('BAD_USER_INPUT', `${at}: ${part} takes strings, finite numbers and booleans`, { field: 'where' });
}

/**
 * Whether a product's attributes pass every condition: the same rule as the
 * SQL in db/attribute-conditions.ts. Built once per query: the search index runs it
 * on every row it considers, so each part is a closure over its own operands
 * rather than a walk over the conditions.
 */
export function attributeTest(conditions: readonly AttributeCondition[]): (attributes: Attributes) => boolean {
  const tests = conditions.flatMap(partTests);
  if (tests.length === 1) return tests[0]!;
  return (attributes) => {
    for (const test of tests) if (!test(attributes)) return false;
    return true;
  };
}

type Test = (attributes: Attributes) => boolean;

function partTests({ key, eq, in: anyOf, gte, lte, exists }: AttributeCondition): Test[] {
  const tests: Test[] = [];
  if (exists !== undefined) tests.push(exists ? (a) => Object.hasOwn(a, key) : (a) => !Object.hasOwn(a, key));
  // A missing key reads as undefined, which no value, list or number test passes.
  if (eq !== undefined) tests.push((a) => matches(a[key], eq));
  if (anyOf !== undefined) tests.push((a) => anyOf.some((wanted) => matches(a[key], wanted)));
  if (gte !== undefined) tests.push((a) => isNumberAtLeast(a[key], gte));
  if (lte !== undefined) tests.push((a) => isNumberAtMost(a[key], lte));
  return tests;
}

const isNumberAtLeast = (value: unknown, bound: number) => typeof value === 'number' && value >= bound;
const isNumberAtMost = (value: unknown, bound: number) => typeof value === 'number' && value <= bound;

function matches(value: Attributes[string] | undefined, wanted: AttributeScalar): boolean {
  return value === wanted || (Array.isArray(value) && typeof wanted === 'string' && value.includes(wanted));
}
