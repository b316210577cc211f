import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeConditions, attributeTest } from '../../src/domain/attribute-condition.js';
import { attributesOf, patchAttributes } from '../../src/domain/attributes.js';
import { DomainError } from '../../src/errors.js';

const refusedFor = (key: string | undefined) => (error: unknown) =>
  error instanceof DomainError && error.code === 'BAD_USER_INPUT' && (key === undefined || error.details.key === key);

test('attributes keep strings, finite numbers, booleans and lists of strings as given', () => {
  const given = { price: 19.99, brand: 'Acme', inStock: false, sizes: ['S', 'M'], 'g:id': 'x', zero: -0 };
  assert.deepEqual(attributesOf(given), { ...given, zero: 0 });
  assert.ok(Object.isFrozen(attributesOf(given)));
});

test('a value that is null, an object, a list of non-strings, or too long is refused naming its key', () => {
  assert.throws(() => attributesOf({ a: null }), refusedFor('a'));
  assert.throws(() => attributesOf({ b: { c: 1 } }), refusedFor('b'));
  assert.throws(() => attributesOf({ c: [1] }), refusedFor('c'));
  assert.throws(() => attributesOf({ d: 'x'.repeat(1025) }), refusedFor('d'));
  assert.throws(() => attributesOf({ e: Array.from({ length: 101 }, () => 's') }), refusedFor('e'));
  assert.throws(() => attributesOf({ f: 'a\u0000b' }), refusedFor('f'));
  assert.throws(() => attributesOf({ '-x': 1 }), refusedFor('-x'));
  assert.throws(() => attributesOf(JSON.parse('{"__proto__": "x"}')), refusedFor('__proto__'));
  assert.throws(() => attributesOf([1, 2]), refusedFor(undefined));
  assert.throws(() => attributesOf(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(500)]))), /over the limit of 16384/);
});

test('a merge patch sets the keys it gives a value and removes those it gives null', () => {
  assert.deepEqual(patchAttributes({ a: 1, b: 'x' }, { b: null, c: true }), { a: 1, c: true });
  assert.throws(() => patchAttributes({}, ['a']), refusedFor(undefined));
});

test('conditions: numbers as numbers, strings exactly, lists by membership, a missing key fails all but exists: false', () => {
  const product = attributesOf({ price: 12, code: '12', sizes: ['S', 'M'], inStock: true });
  const holds = (where: Parameters<typeof attributeConditions>[1]) => attributeTest(attributeConditions('where', where))(product);
  assert.ok(holds([{ key: 'price', eq: 12 }]));
  assert.ok(!holds([{ key: 'price', eq: '12' }]));
  assert.ok(holds([{ key: 'code', eq: '12' }]));
  assert.ok(!holds([{ key: 'code', gte: 0 }]));
  assert.ok(holds([{ key: 'sizes', eq: 'M' }, { key: 'sizes', in: ['XL', 'S'] }]));
  assert.ok(!holds([{ key: 'sizes', eq: 'SM' }]));
  assert.ok(holds([{ key: 'price', gte: 12, lte: 12 }]));
  assert.ok(!holds([{ key: 'price', gte: 12.000001 }]));
  assert.ok(holds([{ key: 'color', exists: false }]));
  assert.ok(!holds([{ key: 'color', exists: false, eq: 'red' }]));
  assert.ok(!holds([{ key: 'color', in: ['red'] }]));
  assert.ok(holds([{ key: 'inStock', eq: true }, { key: 'inStock', exists: true }]));
});

test('a condition must test something, on a valid key, with finite bounds and at most 100 values', () => {
  assert.throws(() => attributeConditions('where', [{ key: 'a' }]), refusedFor(undefined));
  assert.throws(() => attributeConditions('where', [{ key: 'a b', eq: 1 }]), refusedFor('a b'));
  assert.throws(() => attributeConditions('where', [{ key: 'a', gte: Infinity }]), refusedFor(undefined));
  assert.throws(() => attributeConditions('where', [{ key: 'a', in: Array.from({ length: 101 }, (_, i) => i) }]), refusedFor(undefined));
  assert.throws(() => attributeConditions('where', Array.from({ length: 21 }, () => ({ key: 'a', eq: 1 }))), refusedFor(undefined));
});
