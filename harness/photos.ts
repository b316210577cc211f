import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Real photographs for tests, kept in the repository so that any clone can run them. */
export const PHOTOS_DIR = fileURLToPath(new URL('../test/fixtures/photos/', import.meta.url));

export function readPhoto(name: 'chelsea.png' | 'coffee.png'): Promise<Buffer> {
  return readFile(`${PHOTOS_DIR}${name}`);
}
