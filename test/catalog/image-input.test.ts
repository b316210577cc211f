import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImageInput } from '../../src/catalog/image-input.js';

const bytes = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 255, 0]);
const base64 = Buffer.from(bytes).toString('base64');

test('decodes plain base64', () => {
  assert.deepEqual(decodeImageInput(base64, 100), bytes);
});

test('decodes a base64 data URL, with or without a media type', () => {
  assert.deepEqual(decodeImageInput(`data:image/png;base64,${base64}`, 100), bytes);
  assert.deepEqual(decodeImageInput(`data:;base64,${base64}`, 100), bytes);
});

test('decodes URL-safe base64 and ignores line breaks', () => {
  const urlSafe = Buffer.from(bytes).toString('base64url');
  assert.deepEqual(decodeImageInput(urlSafe, 100), bytes);
  assert.deepEqual(decodeImageInput(`${base64.slice(0, 4)}\n${base64.slice(4)}`, 100), bytes);
});

test('rejects text that is not base64 as INVALID_IMAGE', () => {
  for (const input of ['', 'not base64!', 'abcde', 'data:image/png;base64,', '%%%%']) {
    assert.throws(() => decodeImageInput(input, 100), { code: 'INVALID_IMAGE' }, input);
  }
});

test('rejects an image over the limit as IMAGE_TOO_LARGE before decoding it', () => {
  assert.throws(() => decodeImageInput(base64, bytes.length - 1), { code: 'IMAGE_TOO_LARGE' });
  assert.deepEqual(decodeImageInput(base64, bytes.length), bytes);
});
