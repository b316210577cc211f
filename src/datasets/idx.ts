import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** An n-dimensional array of unsigned bytes, as (Fashion-)MNIST ships its images and labels. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export class IdxFormatError extends Error {
  override name = 'IdxFormatError';
}

const UNSIGNED_BYTE = 0x08;

/**
 * Parses the IDX format: two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian uint32, then the data.
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (bytes.length < 4) throw new IdxFormatError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) {
    throw new IdxFormatError(`${source}: bad magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')}, not an IDX file`);
  }
  const type = view.getUint8(2);
  if (type !== UNSIGNED_BYTE) {
    throw new IdxFormatError(`${source}: element type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  }
  const rank = view.getUint8(3);
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLength) {
    throw new IdxFormatError(`${source}: header declares ${rank} dimensions but the file ends at byte ${bytes.length}`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    throw new IdxFormatError(
      `${source}: dimensions ${dims.join('x')} need ${expected} bytes of data, found ${actual}${actual < expected ? ' (truncated)' : ''}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads an IDX file, gzipped or raw (told apart by gzip's magic bytes, not the name). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const bytes = await readFile(path);
  const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  let raw: Uint8Array;
  try {
    raw = isGzip ? gunzipSync(bytes) : bytes;
  } catch (error) {
    throw new IdxFormatError(`${path}: gzip data is corrupt or truncated (${(error as Error).message})`);
  }
  return parseIdx(raw, path);
}
