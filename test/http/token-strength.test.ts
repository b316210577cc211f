import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { tokenWeakness } from '../../src/http/token-strength.js';

test('random tokens are strong: hex, base64 and base64url, 16 characters and more, and passphrases', () => {
  for (let i = 0; i < 50; i++) {
    const bytes = randomBytes(24);
    for (const token of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'), bytes.subarray(0, 12).toString('base64')]) {
      assert.equal(tokenWeakness(token), undefined, token);
    }
  }
  assert.equal(tokenWeakness('correct-horse-battery-staple-42'), undefined);
});

test('blank tokens and tokens with whitespace around them are weak', () => {
  assert.equal(tokenWeakness(' '.repeat(16)), 'must not be blank');
  assert.equal(tokenWeakness('\t\n'.repeat(8)), 'must not be blank');
  assert.match(tokenWeakness(` ${randomBytes(12).toString('hex')}`)!, /whitespace/);
  assert.match(tokenWeakness(`${randomBytes(12).toString('hex')}\n`)!, /whitespace/);
});

test('a character repeated, or a handful of them, is weak', () => {
  for (const token of ['a'.repeat(16), 'abababababababab', 'aaaaaaaaaaaaaaab', 'abcdeabcdeaaaaaaaa']) {
    assert.match(tokenWeakness(token)!, /distinct characters/, token);
  }
});

test('a pattern repeated and runs of the alphabet, digits or keyboard are weak', () => {
  for (const token of ['1234567812345678', 'passwordpassword', 'abcdefghijklmnop', 'ABCDEFGHIJKLMNOP', '0123456789abcdef', '9876543210987654', 'qwertyuiopasdfgh', 'zyxwvutsrqponmlk']) {
    assert.match(tokenWeakness(token)!, /repeated pattern or a run/, token);
  }
});
