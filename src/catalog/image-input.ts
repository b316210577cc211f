import { DomainError } from '../errors.js';

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes an image given as base64 (standard or URL-safe) or as a base64 data
 * URL. The size is checked before decoding so an oversized upload is never
 * materialised.
 */
export function decodeImageInput(input: string, maxBytes: number): Uint8Array {
  const prefix = DATA_URL.exec(input.slice(0, 256))?.[0].length ?? 0;
  const fast = decodeStrictBase64(input, prefix, maxBytes);
  if (fast) return fast;
  const payload = input.slice(prefix).replace(/\s+/g, '');
  if (payload.length === 0 || !BASE64.test(payload) || payload.length % 4 === 1) {
    throw new DomainError('INVALID_IMAGE', 'image must be base64 or a base64 data URL');
  }
  const size = Math.floor((payload.replace(/=+$/, '').length * 3) / 4);
  if (size > maxBytes) {
    throw new DomainError('IMAGE_TOO_LARGE', `image is ${size} bytes; the limit is ${maxBytes}`, { size, maxBytes });
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

/**
 * The common case without a scan in JavaScript (which holds the event loop
 * for milliseconds per megabyte): Node's decoder skips what is not base64,
 * so a payload is plain base64 exactly when it decodes to the length its
 * characters promise. Anything else (whitespace, stray characters) takes the
 * checking path; undefined then.
 */
function decodeStrictBase64(input: string, start: number, maxBytes: number): Uint8Array | undefined {
  const length = input.length - start;
  if (length === 0 || length % 4 !== 0) return undefined;
  const padding = input.endsWith('==') ? 2 : input.endsWith('=') ? 1 : 0;
  const expected = (length / 4) * 3 - padding;
  if (expected > maxBytes) return undefined;
  const bytes = Buffer.from(start === 0 ? input : input.slice(start), 'base64');
  return bytes.length === expected ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
}
