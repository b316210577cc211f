import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoryKey, normalizeCategory } from '../../src/domain/category.js';

test('trims, collapses every kind of whitespace to one space, and composes to NFC; case is kept', () => {
  assert.equal(normalizeCategory('  Running \u00a0\u3000shoes\u2003 '), 'Running shoes');
  assert.equal(normalizeCategory('e\u0301cole'), '\u00e9cole');
  assert.equal(normalizeCategory('SHOES'), 'SHOES');
});

test('removes zero-width characters, which would make look-alike categories differ', () => {
  assert.equal(normalizeCategory('sho\u200bes\u2060'), 'shoes');
  assert.equal(normalizeCategory('\ufeffshoes'), 'shoes');
});

test('a category with nothing visible left is no category', () => {
  for (const blank of ['', '   ', '\u200b', '\u00a0\ufeff ']) assert.equal(normalizeCategory(blank), null, JSON.stringify(blank));
});

test('spellings that differ only in case have one key, letters that change length in the other case included', () => {
  for (const spellings of [['Shoes', 'SHOES', 'shoes'], ['Écoles', 'ÉCOLES'], ['Straße', 'STRASSE', 'strasse'], ['ΟΔΟΣ', 'οδος', 'οδοσ'], ['ﬁle', 'FILE']]) {
    assert.equal(new Set(spellings.map(categoryKey)).size, 1, spellings.join(' '));
  }
  assert.notEqual(categoryKey('shoe'), categoryKey('shoes'));
});
