// A child of bench/ingest-cores.ts: the service as its settings make it
// (FEATURE_ENGINE, FEATURE_WORKERS... from the environment, with the defaults
// derived from the cores this process may use) on an in-memory PGlite, adding
// products through CatalogService.addProducts. Prints one JSON line:
// { "engine": ..., "workers": ..., "imagesPerSecond": ... }.
//
//   taskset -c 0 node --import tsx bench/ingest-service.ts --images 64
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createServices } from '../src/services.js';
import { positiveInteger } from './flags.js';
import { measureAddProducts, readPhotoFiles } from './ingest-measure.js';

const { values: flags } = parseArgs({ options: { images: { type: 'string', default: '64' } } });
const images = positiveInteger(flags, 'images');

const files = await readPhotoFiles();
const services = await createServices(loadConfig({ ...process.env, DATA_DIR: 'memory://', IMAGE_CACHE_BYTES: '0' }), (line) => console.error(line));
try {
  // Warm-up: the model and the database run once before anything is timed.
  await measureAddProducts(services.catalog, files, 4, 'warm-up');
  const imagesPerSecond = await measureAddProducts(services.catalog, files, images, 'timed');
  console.log(JSON.stringify({ engine: services.extractor.engine, workers: services.extractor.workers, imagesPerSecond }));
} finally {
  await services.close();
}
