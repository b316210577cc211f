import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The repository's sibling `shared/` folder holds real photographs for tests. */
export const PHOTOS_DIR = fileURLToPath(new URL('../../shared/testdata/photos/', import.meta.url));

export function readPhoto(name: 'chelsea.png' | 'coffee.png'): Promise<Buffer> {
  return readFile(`${PHOTOS_DIR}${name}`);
}
