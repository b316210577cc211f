import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCategories, splitDataset } from '../../src/training/dataset.js';

const product = (id: number, category: string | null) => ({ id, category, features: Float32Array.of(id) });

test('label-encodes categories in sorted order', () => {
  const { classes, train, validation } = splitDataset(
    [product(1, 'shoes'), product(2, 'bags'), product(3, 'shoes'), product(4, 'bags'), product(5, 'coats'), product(6, 'coats')],
    0.2,
    1,
    2,
  );
  assert.deepEqual(classes, ['bags', 'coats', 'shoes']);
  for (const set of [train, validation]) {
    set.features.forEach((f, i) => assert.equal(classes[set.labels[i]!], { 1: 'shoes', 2: 'bags', 3: 'shoes', 4: 'bags', 5: 'coats', 6: 'coats' }[f[0]!]));
  }
});

test('holds out the validation share of every category, at least one each', () => {
  const products = [
    ...Array.from({ length: 50 }, (_, i) => product(i, 'a')),
    ...Array.from({ length: 10 }, (_, i) => product(100 + i, 'b')),
  ];
  const { train, validation } = splitDataset(products, 0.2, 7, 2);
  const count = (labels: number[], label: number) => labels.filter((l) => l === label).length;
  assert.deepEqual([count(validation.labels, 0), count(validation.labels, 1)], [10, 2]);
  assert.deepEqual([count(train.labels, 0), count(train.labels, 1)], [40, 8]);
});

test('the same seed gives the same split, another seed another', () => {
  const products = Array.from({ length: 40 }, (_, i) => product(i, i % 2 ? 'a' : 'b'));
  const held = (seed: number) => splitDataset(products, 0.25, seed, 2).validation.features.map((f) => f[0]);
  assert.deepEqual(held(3), held(3));
  assert.notDeepEqual(held(3), held(4));
});

test('ignores products without a category', () => {
  const { train, validation } = splitDataset([product(1, 'a'), product(2, 'a'), product(3, 'b'), product(4, 'b'), product(5, null)], 0.5, 1, 2);
  assert.equal(train.labels.length + validation.labels.length, 4);
});

test('needs two categories with at least the minimum of products each', () => {
  assert.throws(() => planCategories(new Map([['a', 100]]), 2), { code: 'NOT_ENOUGH_TRAINING_DATA' });
  assert.throws(() => planCategories(new Map(), 2), { code: 'NOT_ENOUGH_TRAINING_DATA' });
  assert.throws(() => planCategories(new Map([['a', 100], ['b', 1]]), 2), { code: 'NOT_ENOUGH_TRAINING_DATA', message: /1 with fewer/ });
  assert.throws(() => planCategories(new Map([['a', 4], ['b', 5]]), 5), { code: 'NOT_ENOUGH_TRAINING_DATA', message: /5 or more/ });
  assert.deepEqual(planCategories(new Map([['b', 2], ['a', 2]]), 2), { classes: ['a', 'b'], excluded: [] });
});

test('a category with fewer products than the minimum is left out and listed, instead of blocking the rest', () => {
  const counts = new Map([['shoes', 40], ['SHOE', 1], ['bags', 30], ['hats', 4]]);
  assert.deepEqual(planCategories(counts, 5), {
    classes: ['bags', 'shoes'],
    excluded: [{ category: 'SHOE', products: 1 }, { category: 'hats', products: 4 }],
  });
});

test('the split leaves out the products of an excluded category', () => {
  const products = [product(1, 'a'), product(2, 'a'), product(3, 'b'), product(4, 'b'), product(5, 'c')];
  const { classes, excluded, train, validation } = splitDataset(products, 0.5, 1, 2);
  assert.deepEqual(classes, ['a', 'b']);
  assert.deepEqual(excluded, [{ category: 'c', products: 1 }]);
  assert.ok([...train.features, ...validation.features].every((f) => f[0] !== 5));
});

test('a minimum under two cannot split a category and is refused', () => {
  assert.throws(() => planCategories(new Map([['a', 3], ['b', 3]]), 1), RangeError);
});
