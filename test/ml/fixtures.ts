import { homedir } from 'node:os';
import { join } from 'node:path';

export { readPhoto } from '../../harness/photos.js';

/** Same place as the service's default, so the 95 MB package is fetched once per machine. */
export const MODEL_CACHE_DIR = join(homedir(), '.cache', 'lookalike');
