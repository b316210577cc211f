// A child of bench/ingest-cores.ts: the service as its settings make it
// (FEATURE_ENGINE, FEATURE_WORKERS... from the environment, with the defaults
// derived from the cores this process may use) on an in-memory PGlite, adding
// products through CatalogService.addProducts. Prints one JSON line:
// { "engine": ..., "workers": ..., "imagesPerSecond": ... }.
//
//   taskset -c 0 node --import tsx bench/ingest-service.ts --images 64
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createServices } from '../src/services.js';
import { measureAddProducts } from './ingest-measure.js';

const { values: flags } = parseArgs({ options: { images: { type: 'string', default: '64' } } });
const images = Number(flags.images);
if (!Number.isInteger(images) || images < 1) throw new Error('--images must be a positive integer');

const photosDir = fileURLToPath(new URL('../../shared/testdata/photos/', import.meta.url));
const files = await Promise.all(['chelsea.png', 'coffee.png'].map(async (name) => new Uint8Array(await readFile(join(photosDir, name)))));
const services = await createServices(loadConfig({ ...process.env, DATA_DIR: 'memory://' }), (line) => console.error(line));
try {
  // Warm-up: the model and the database run once before anything is timed.
  await measureAddProducts(services.catalog, files, 4, 'warm-up');
  const imagesPerSecond = await measureAddProducts(services.catalog, files, images, 'timed');
  console.log(JSON.stringify({ engine: services.extractor.backend, workers: services.extractor.workers, imagesPerSecond }));
} finally {
  await services.close();
}
