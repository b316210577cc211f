import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { measureQueryShape } from '../../src/graphql/query-shape.js';

const shape = (source: string) => measureQueryShape(parse(source));

test('a field selected once is no repeat, aliased or not', () => {
  assert.deepEqual(shape('{ service { catalogSize } }'), { fields: 2, aliases: 0, depth: 2 });
  assert.deepEqual(shape('{ info: service { size: catalogSize } }'), { fields: 2, aliases: 0, depth: 2 });
});

test('every further selection of a field counts, under an alias or not', () => {
  assert.equal(shape('{ a: service { catalogSize } b: service { catalogSize } c: service { catalogSize } }').aliases, 2);
  assert.equal(shape('{ service { catalogSize } service { catalogSize } service { catalogSize } }').aliases, 2);
  assert.equal(shape('{ service { a: catalogSize b: catalogSize } }').aliases, 1);
});

test('fragments add their fields to the selection set they are spread in', () => {
  const source = `{ product(id: "1") { id ...Card ... on Product { id } } }
    fragment Card on Product { id name thumbnail }`;
  assert.deepEqual(shape(source), { fields: 6, aliases: 2, depth: 2 });
});

test('depth follows fragments', () => {
  const source = `{ ...Root } fragment Root on Query { similarProducts(id: "1") { ...Neighbours } }
    fragment Neighbours on Similarity { neighbours { product { id } } }`;
  assert.equal(shape(source).depth, 4);
});

test('a chain of fragments spread twice each is measured without expanding it', () => {
  const chain = Array.from({ length: 60 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
  const measured = shape(`{ ...F0 } ${chain} fragment F60 on Query { service { catalogSize } }`);
  assert.equal(measured.fields, 2 ** 61);
  assert.equal(measured.aliases, 2 ** 60 - 1);
});

test('fragment cycles and unknown fragments end the walk', () => {
  const measured = shape(`{ ...A ...Missing } fragment A on Query { service { catalogSize } ...B } fragment B on Query { ...A }`);
  assert.equal(measured.depth, 2);
});

test('fragments no operation spreads are measured too: validation walks them', () => {
  const repeats = Array(40).fill('service { catalogSize }').join(' ');
  assert.equal(shape(`{ service { catalogSize } } fragment Unused on Query { ${repeats} }`).aliases, 39);
});
