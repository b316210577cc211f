import { attributeTest, type AttributeCondition } from '../domain/attribute-condition.js';
import { NO_ATTRIBUTES, type Attributes } from '../domain/attributes.js';

/** Keys that get a column of numbers; past them, range rules read the objects. */
const MAX_NUMBER_COLUMNS = 16;

/**
 * The store's attributes as the search index filters by them: each
 * product's object by product id, and, for each key a range rule (gte, lte)
 * has asked about, a column of its numbers by product id (NaN where the
 * product has no number there). A price band then costs an array read a
 * row, as a category does, instead of a property lookup and a type test: a
 * selective rule is tested on most rows a scan keeps (candidates.ts).
 */
export class AttributeStore {
  #objects: (Attributes | undefined)[] = [];
  readonly #numbers = new Map<string, Float64Array>();

  set(productId: number, attributes: Attributes): void {
    this.#objects[productId] = Object.keys(attributes).length === 0 ? undefined : attributes;
    for (const [key, column] of this.#numbers) this.#numbers.set(key, withNumber(column, productId, attributes[key]));
  }

  delete(productId: number): void {
    this.set(productId, NO_ATTRIBUTES);
  }

  clear(): void {
    this.#objects = [];
    this.#numbers.clear();
  }

  /** The rules as a test of product ids: the same answer as attributeTest on each product's object. */
  test(conditions: readonly AttributeCondition[]): (productId: number) => boolean {
    const objects = this.#objects;
    const ranges = conditions.filter(isRange).flatMap((condition) => this.#rangeTest(condition) ?? []);
    const rest = conditions.filter((condition) => !isRange(condition) || !this.#numbers.has(condition.key));
    const byObject = rest.length === 0 ? undefined : attributeTest(rest);
    return (productId) => {
      for (const inRange of ranges) if (!inRange(productId)) return false;
      return !byObject || byObject(objects[productId] ?? NO_ATTRIBUTES);
    };
  }

  #rangeTest({ key, gte = -Infinity, lte = Infinity }: AttributeCondition): ((productId: number) => boolean) | undefined {
    const column = this.#numbers.get(key) ?? this.#numberColumn(key);
    // NaN (no number) fails both comparisons; so does an id past the column's end (undefined).
    return column && ((productId) => (column[productId]! >= gte && column[productId]! <= lte));
  }

  #numberColumn(key: string): Float64Array | undefined {
    if (this.#numbers.size >= MAX_NUMBER_COLUMNS) return undefined;
    let column: Float64Array = new Float64Array(this.#objects.length).fill(NaN);
    this.#objects.forEach((attributes, productId) => {
      if (attributes) column = withNumber(column, productId, attributes[key]);
    });
    this.#numbers.set(key, column);
    return column;
  }
}

const isRange = ({ eq, in: anyOf, exists, gte, lte }: AttributeCondition) =>
  eq === undefined && anyOf === undefined && exists === undefined && (gte !== undefined || lte !== undefined);

/** The column with the product's number (NaN for none) at its id, grown if the id is past its end. */
function withNumber(column: Float64Array, productId: number, value: unknown): Float64Array {
  let target = column;
  if (productId >= column.length) {
    target = new Float64Array(Math.max(productId + 1, column.length * 2)).fill(NaN);
    target.set(column);
  }
  target[productId] = typeof value === 'number' ? value : NaN;
  return target;
}
