import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor, parseId, productId } from '../../src/graphql/ids.js';

test('product ids are positive 32-bit integers', () => {
  assert.equal(parseId('42'), 42);
  for (const id of ['0', '-1', '01', '1.5', 'abc', '', '2147483648', '99999999999']) {
    assert.equal(parseId(id), undefined, id);
  }
});

test('an id that names no product is NOT_FOUND', () => {
  assert.throws(() => productId('abc'), { code: 'NOT_FOUND' });
});

test('cursors round-trip and foreign cursors are BAD_USER_INPUT', () => {
  assert.equal(decodeCursor(encodeCursor(1234)), 1234);
  assert.throws(() => decodeCursor('garbage'), { code: 'BAD_USER_INPUT' });
});

test('a cursor for an id outside the 32-bit range is BAD_USER_INPUT, not a database error', () => {
  const cursor = (id: string) => Buffer.from(`product:${id}`).toString('base64url');
  assert.equal(decodeCursor(cursor('2147483647')), 2_147_483_647);
  for (const id of ['2147483648', String(2 ** 40), '0', '99999999999999999999999']) {
    assert.throws(() => decodeCursor(cursor(id)), { code: 'BAD_USER_INPUT' }, id);
  }
});
