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

test('base64 with line breaks, URL-safe characters or a data URL decodes to the same bytes as plain base64', () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));
  const plain = bytes.toString('base64');
  const wrapped = plain.replace(/.{76}/g, '$&\n');
  const urlSafe = bytes.toString('base64url');
  for (const input of [plain, wrapped, urlSafe, `data:image/png;base64,${plain}`, `data:image/png;base64,${wrapped}`]) {
    assert.deepEqual(Buffer.from(decodeImageInput(input, 10_000)), bytes);
  }
});

test('a stray character in otherwise plain base64 is INVALID_IMAGE, not silently skipped', () => {
  const plain = Buffer.from('a small image file of some bytes').toString('base64');
  const stray = `${plain.slice(0, 8)}!${plain.slice(9)}`;
  assert.throws(() => decodeImageInput(stray, 10_000), (error: { code?: string }) => error.code === 'INVALID_IMAGE');
});
