import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeTest, type AttributeCondition } from '../../src/domain/attribute-condition.js';
import { attributesOf, NO_ATTRIBUTES, type Attributes } from '../../src/domain/attributes.js';
import { AttributeStore } from '../../src/search/attribute-store.js';
import { seededRandom } from '../../harness/vectors.js';

const RULES: AttributeCondition[][] = [
  [{ key: 'price', gte: 10, lte: 20 }],
  [{ key: 'price', lte: 0 }],
  [{ key: 'price', gte: 15 }, { key: 'brand', eq: 'a' }],
  [{ key: 'weight', gte: -1 }],
  [{ key: 'price', gte: 10, eq: 12 }],
  [{ key: 'brand', in: ['a', 'b'] }, { key: 'size', lte: 3 }],
];

function randomAttributes(random: () => number): Attributes {
  const value = () => [12, 10, 20, 20.000001, 0, -0.5, '15', ['15'], true, undefined][Math.floor(random() * 10)];
  const attributes: Record<string, unknown> = { brand: ['a', 'b', 'c'][Math.floor(random() * 3)] };
  for (const key of ['price', 'weight', 'size']) {
    const v = value();
    if (v !== undefined) attributes[key] = v;
  }
  return attributesOf(attributes);
}

test('a store of attributes answers every rule as the rule does on each product, through writes that grow and rewrite its columns', () => {
  const random = seededRandom(5);
  const store = new AttributeStore();
  const truth = new Map<number, Attributes>();
  const check = () => {
    for (const rules of RULES) {
      const test = store.test(rules);
      for (let id = 1; id <= 400; id++) assert.equal(test(id), attributeTest(rules)(truth.get(id) ?? NO_ATTRIBUTES), `${id} ${JSON.stringify(rules)}`);
    }
  };
  for (let id = 1; id <= 100; id++) {
    truth.set(id, randomAttributes(random));
    store.set(id, truth.get(id)!);
  }
  check();
  // After the columns exist: new ids past their end, rewrites, deletions.
  for (let n = 0; n < 300; n++) {
    const id = 1 + Math.floor(random() * 400);
    if (random() < 0.2) {
      truth.delete(id);
      store.delete(id);
    } else {
      truth.set(id, randomAttributes(random));
      store.set(id, truth.get(id)!);
    }
  }
  check();
});

test('past sixteen number columns, range rules still hold, read from the objects', () => {
  const store = new AttributeStore();
  const keys = Array.from({ length: 20 }, (_, i) => `n${i}`);
  store.set(1, attributesOf(Object.fromEntries(keys.map((key, i) => [key, i]))));
  store.set(2, attributesOf({ n19: 'nineteen' }));
  for (const [i, key] of keys.entries()) {
    const test = store.test([{ key, gte: i, lte: i }]);
    assert.equal(test(1), true, key);
    assert.equal(test(2), false, key);
  }
});
