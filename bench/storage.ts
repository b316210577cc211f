// Storage cost per product and import throughput end to end:
// Fashion-MNIST items through the CLI's import path (idxItems + importProducts:
// PNG encoding of the IDX pixels, decode, ResNet50, store) into an in-memory
// PGlite, up to each size in turn; bytes per product with pg_column_size and
// pg_total_relation_size; then a head is trained so that the embeddings
// table is measured too.
//
// The baseline, in the same run: the first --baseline-count items imported
// with ResNet50 on TensorFlow.js instead, into a database of their own.
//
//   node --import tsx bench/storage.ts [--sizes 1000,10000] [--baseline-count 200] [--batch-size 64]
//     [--epochs 2] [--out bench/results/storage.json]
// FEATURE_ENGINE, FEATURE_WORKERS etc. are read from the environment as the service reads them.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { importProducts } from '../src/catalog/catalog-import.js';
import type { CatalogService } from '../src/catalog/catalog.service.js';
import { idxItems } from '../src/cli/import-sources.js';
import { loadConfig } from '../src/config.js';
import { FASHION_MNIST_CATEGORIES, FASHION_MNIST_DIR, openIdxDataset } from '../src/datasets/idx-dataset.js';
import { createFeatureExtractor } from '../src/ml/feature-extractor.js';
import { prepareImage } from '../src/ml/image.js';
import { featureExtractorOptions } from '../src/services.js';
import { readPhoto } from '../harness/photos.js';
import { positiveInteger } from './flags.js';
import { openBenchCatalog } from './ingest-catalog.js';
import { machine, printTable } from './table.js';
import { embeddingColumnBytes, productColumnBytes, tableBytes, type TableBytes } from './storage-sizes.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    'baseline-count': { type: 'string', default: '200' },
    'batch-size': { type: 'string', default: '64' },
    epochs: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/results/storage.json' },
  },
});
const sizes = flags.sizes.split(',').map(Number);
if (sizes.some((size, i) => !Number.isInteger(size) || size < 1 || size <= (sizes[i - 1] ?? 0))) {
  throw new Error('--sizes must be increasing positive integers, e.g. 1000,10000');
}
const batchSize = positiveInteger(flags, 'batch-size');
const baselineCount = positiveInteger(flags, 'baseline-count');
const epochs = positiveInteger(flags, 'epochs');

const config = loadConfig(process.env);
const loadBefore = loadavg();
console.log(machine(loadBefore));
const extractorOptions = featureExtractorOptions(config, console.log);
const dataset = await openIdxDataset(FASHION_MNIST_DIR, 'train');
/** Seconds to import items `from` to `to` of the training split, as `lookalike import idx` does. */
async function timedImport(catalog: CatalogService, from: number, to: number): Promise<number> {
  const items = idxItems(dataset, { name: 'fashion-mnist', split: 'train', from, count: to - from, categories: FASHION_MNIST_CATEGORIES });
  const began = performance.now();
  const progress = await importProducts(catalog, items, { batchSize });
  if (progress.added !== items.length) throw new Error(`imported ${progress.added} of ${items.length}`);
  return (performance.now() - began) / 1000;
}

const baselineExtractor = await createFeatureExtractor({ ...extractorOptions, engine: 'tfjs' });
const baselineBench = await openBenchCatalog(baselineExtractor);
const baseline = { engine: baselineExtractor.backend, count: baselineCount, seconds: await timedImport(baselineBench.catalog, 0, baselineCount) };
await baselineBench.close();
await baselineExtractor.close();
console.log(`baseline, ResNet50 on ${baseline.engine}: ${baselineCount} imported in ${baseline.seconds.toFixed(1)} s`);

const extractor = await createFeatureExtractor(extractorOptions);
const bench = await openBenchCatalog(extractor);
const db = bench.database.db;
console.log(`ResNet50 on ${extractor.engine}, ${extractor.workers} worker thread(s); import batches of ${batchSize}`);

const steps = [];
let imported = 0;
let totalSeconds = 0;
for (const size of sizes) {
  const seconds = await timedImport(bench.catalog, imported, size);
  const added = size - imported;
  totalSeconds += seconds;
  imported = size;
  const columns = await productColumnBytes(db);
  steps.push({ size, added, seconds, imagesPerSecond: added / seconds, cumulativeImagesPerSecond: size / totalSeconds, columns });
  console.log(`${size} products: ${added} imported in ${seconds.toFixed(1)} s, ${(added / seconds).toFixed(2)} images/s`);
}

const trainingBegan = performance.now();
const run = await bench.training.startTraining({ epochs });
await bench.training.idle();
const trained = await bench.training.getRun(run.id);
if (trained?.status !== 'succeeded') throw new Error(`training ended ${trained?.status}: ${trained?.error}`);
const trainingSeconds = (performance.now() - trainingBegan) / 1000;
const embedding = await embeddingColumnBytes(db);
const tablesAfterTraining = await tableBytes(db);

// Fashion-MNIST thumbnails are 28x28; a catalog of photos stores 256-px ones.
const photoThumbnails = await Promise.all(
  (['chelsea.png', 'coffee.png'] as const).map(async (name) => {
    const prepared = await prepareImage(await readPhoto(name), { maxBytes: config.maxImageBytes });
    return { name, bytes: prepared.thumbnail.byteLength };
  }),
);
await bench.close();
await extractor.close();
const loadAfter = loadavg();

// Tables with a row per product (or per product and model version) grow with
// the catalog; the rest (model versions, runs) are a fixed cost.
const grows = (t: TableBytes) => t.rows >= imported;
const baselineRate = baseline.count / baseline.seconds;
console.log(`\nimport throughput (idxItems + importProducts, batches of ${batchSize}):\n`);
printTable(
  ['products', 'ResNet50 on', 'imported', 'seconds', 'images/s', 'images/s since 0', `vs ${baseline.engine}`],
  [
    [String(baseline.count), `${baseline.engine} (baseline)`, String(baseline.count), baseline.seconds.toFixed(1), baselineRate.toFixed(2), baselineRate.toFixed(2), '1.00x'],
    ...steps.map((step) => [
      String(step.size),
      extractor.engine,
      String(step.added),
      step.seconds.toFixed(1),
      step.imagesPerSecond.toFixed(2),
      step.cumulativeImagesPerSecond.toFixed(2),
      `${(step.imagesPerSecond / baselineRate).toFixed(2)}x`,
    ]),
  ],
);
console.log('\nbytes per product, pg_column_size (mean over the products):\n');
printTable(
  ['products', 'features vector(2048)', 'thumbnail (webp)', 'whole row'],
  steps.map((step) => [String(step.size), step.columns.features.toFixed(0), step.columns.thumbnail.toFixed(0), step.columns.row.toFixed(0)]),
);
console.log(`embedding vector(512): ${embedding.toFixed(0)} bytes (after training ${epochs} epochs in ${trainingSeconds.toFixed(1)} s)`);
console.log(`256-px webp thumbnails of the test photos: ${photoThumbnails.map((t) => `${t.name} ${t.bytes} bytes`).join(', ')}\n`);
console.log(`on disk at ${imported} products after training, pg_total_relation_size (bytes per product = total / ${imported}):\n`);
printTable(
  ['table', 'rows', 'total MB', 'heap MB', 'toast MB', 'indexes MB', 'bytes per product'],
  tablesAfterTraining.map((t) => [
    t.table,
    String(t.rows),
    (t.total / 1e6).toFixed(2),
    (t.heap / 1e6).toFixed(2),
    (t.toast / 1e6).toFixed(2),
    (t.indexes / 1e6).toFixed(2),
    grows(t) ? (t.total / imported).toFixed(0) : 'fixed',
  ]),
);
const sum = (tables: TableBytes[]) => tables.reduce((total, t) => total + t.total, 0);
const perProductBytes = sum(tablesAfterTraining.filter(grows)) / imported;
const fixedBytes = sum(tablesAfterTraining.filter((t) => !grows(t)));
// The baseline for bytes: the values themselves, float32 vectors and the thumbnail file.
const payload = Math.round(2048 * 4 + 512 * 4 + steps.at(-1)!.columns.thumbnail);
console.log(`\ntables that grow with the catalog: ${perProductBytes.toFixed(0)} bytes per product, ${(perProductBytes / payload).toFixed(2)}x the ${payload} bytes of its features, embedding and thumbnail; the rest: ${(fixedBytes / 1e6).toFixed(2)} MB in all`);
console.log(`load average ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

await mkdir(dirname(flags.out), { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
  engine: extractor.engine,
  workers: extractor.workers,
  flags,
  baseline,
  steps,
  training: { epochs, seconds: trainingSeconds, embeddingBytes: embedding },
  tablesAfterTraining,
  bytesPerProduct: perProductBytes,
  payloadBytesPerProduct: payload,
  fixedBytes,
  photoThumbnails,
};
await writeFile(flags.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${flags.out}`);
