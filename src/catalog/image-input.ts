import { DomainError } from '../errors.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes an image given as base64 (standard or URL-safe) or as a base64 data
 * URL. The size is checked before decoding so an oversized upload is never
 * materialised.
 */
export function decodeImageInput(input: string, maxBytes: number): Uint8Array {
  const payload = input.replace(DATA_URL, '').replace(/\s+/g, '');
  if (payload.length === 0 || !BASE64.test(payload) || payload.length % 4 === 1) {
    throw new DomainError('INVALID_IMAGE', 'image must be base64 or a base64 data URL');
  }
  const size = Math.floor((payload.replace(/=+$/, '').length * 3) / 4);
  if (size > maxBytes) {
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${size} bytes; the limit is ${maxBytes}`, { size, maxBytes });
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}
