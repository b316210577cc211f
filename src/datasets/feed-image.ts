import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** A feed row's image: a file's bytes (and their hash), or a link for whoever fetches it. */
export type FeedImage = { bytes: Uint8Array; sha256: string } | { url: string };

/** A feed row's image that cannot be read: `code` says why, as the errors file names it. */
export class FeedImageError extends Error {
  constructor(
    readonly code: 'IMAGE_MISSING' | 'IMAGE_NOT_FOUND' | 'IMAGE_PATH_FORBIDDEN' | 'IMAGE_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

const LINK = /^https?:\/\//i;

/**
 * An http(s) link as it is, or a file read relative to the feed's folder.
 * A path that is absolute or leaves that folder is refused: a feed names its
 * own images, never other files of the machine that imports it.
 */
export async function feedImage(value: unknown, feedDir: string, maxBytes: number): Promise<FeedImage> {
  if (typeof value !== 'string' || value.trim() === '') throw new FeedImageError('IMAGE_MISSING', 'the row has no image');
  if (LINK.test(value)) return { url: value };
  const path = resolve(feedDir, value);
  const inside = relative(feedDir, path);
  if (isAbsolute(value) || inside.startsWith('..') || isAbsolute(inside)) {
    throw new FeedImageError('IMAGE_PATH_FORBIDDEN', `${value.slice(0, 200)} is outside the feed's folder`);
  }
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    throw new FeedImageError('IMAGE_NOT_FOUND', `no image file ${value.slice(0, 200)} next to the feed`);
  }
  if (size > maxBytes) throw new FeedImageError('IMAGE_TOO_LARGE', `${value.slice(0, 200)} is ${size} bytes; the limit is ${maxBytes}`);
  const bytes = new Uint8Array(await readFile(path).catch(() => {
    throw new FeedImageError('IMAGE_NOT_FOUND', `cannot read the image file ${value.slice(0, 200)}`);
  }));
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
