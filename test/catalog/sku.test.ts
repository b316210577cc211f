import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSku, validSku } from '../../src/catalog/sku.js';

test('spellings of a sku a reader cannot tell apart are one sku: NFC, zero-width characters removed, whitespace collapsed and trimmed; case is kept', () => {
  assert.equal(normalizeSku('cafe\u0301'), 'caf\u00e9');
  assert.equal(normalizeSku('ca\u200bf\u00e9\ufeff'), 'caf\u00e9');
  assert.equal(normalizeSku(' AB\u00a0 12 '), 'AB 12');
  assert.equal(normalizeSku('Ab-12'), 'Ab-12');
});

test('a sku with text no product field may hold is BAD_USER_INPUT naming the sku', () => {
  for (const text of ['a\u0000b', 'a\u202eb', 'a\ud800']) {
    assert.throws(() => normalizeSku(text), { code: 'BAD_USER_INPUT', details: { field: 'sku' } }, JSON.stringify(text));
  }
});

test('a sku to store has 1 to 128 characters once normalized', () => {
  assert.equal(validSku(`${'x'.repeat(128)}\u200b `), 'x'.repeat(128));
  for (const text of ['', ' \u00a0', '\u200b', 'x'.repeat(129)]) {
    assert.throws(() => validSku(text), { code: 'BAD_USER_INPUT', details: { field: 'sku' } }, JSON.stringify(text));
  }
});
