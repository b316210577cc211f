// Ingestion speed (issue 5, part 1): images per second through the feature
// extractor (decode + ResNet50) and through CatalogService.addProducts
// (decode + ResNet50 + store, in-memory PGlite), for TensorFlow.js on wasm
// (the baseline) and ONNX Runtime, with one and with all workers, each beside
// the FLOP floor at the machine's peak measured in the same run.
//
//   node --import tsx bench/ingest.ts [--images 96] [--baseline-images 24] [--rounds 2]
//     [--max-batch 16] [--window-ms 4] [--out bench/results/ingest.json]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { prepareImage } from '../src/ml/image.js';
import { resolveResnet50Model } from '../src/ml/resnet50-weights.js';
import { openBenchCatalog } from './ingest-catalog.js';
import { resnet50Flops } from './ingest-flops.js';
import { measureAddProducts, measureExtraction, measureLoneLatency } from './ingest-measure.js';
import { measurePeakGflops } from './ingest-peak.js';
import { setups } from './ingest-setups.js';
import { printTable } from './ingest-table.js';

const { values: flags } = parseArgs({
  options: {
    images: { type: 'string', default: '96' },
    'baseline-images': { type: 'string', default: '24' },
    rounds: { type: 'string', default: '2' },
    'max-batch': { type: 'string', default: '16' },
    'window-ms': { type: 'string', default: '4' },
    out: { type: 'string', default: 'bench/results/ingest.json' },
  },
});
const count = (name: keyof typeof flags) => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const rounds = count('rounds');
const cores = availableParallelism();
const cacheDir = loadConfig(process.env).modelCacheDir;
const photosDir = fileURLToPath(new URL('../../shared/testdata/photos/', import.meta.url));
const files = await Promise.all(['chelsea.png', 'coffee.png'].map(async (name) => new Uint8Array(await readFile(join(photosDir, name)))));

const loadBefore = loadavg();
console.log(`${cores} x ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
const { modelUrl } = await resolveResnet50Model({ cacheDir });
const flops = await resnet50Flops(modelUrl);
const peak = async () => ({ one: await measurePeakGflops(1), all: await measurePeakGflops(cores) });
const peakBefore = await peak();
console.log(`ResNet50 to avg_pool: ${(flops / 1e9).toFixed(2)} GFLOP per image (counted from the model's convolutions)`);
console.log(`sgemm 2048^3 through ONNX Runtime: ${peakBefore.one.toFixed(1)} GFLOP/s on 1 thread, ${peakBefore.all.toFixed(1)} on ${cores}\n`);

interface Figures {
  extraction: number[];
  addProducts: number[];
  meanBatch: number[];
  loneMs: number;
}
const all = setups({ cacheDir, maxBatchSize: count('max-batch'), batchWindowMs: count('window-ms') });
const started = [];
for (const setup of all) {
  const extractor = await setup.start();
  const bench = await openBenchCatalog(extractor);
  // Warm-up: every worker runs a batch and the database a transaction before anything is timed.
  await measureExtraction(extractor, files, 2 * setup.workers);
  await measureAddProducts(bench.catalog, files, 2, 'warm-up');
  const figures: Figures = { extraction: [], addProducts: [], meanBatch: [], loneMs: 0 };
  started.push({ setup, extractor, bench, figures });
  console.log(`started ${setup.name} (ResNet50 on ${extractor.backend})`);
}
// Rounds interleave the setups, so a burst of other load on the machine
// touches every setup's figures alike; each setup's best round is reported.
for (let round = 1; round <= rounds; round += 1) {
  for (const { setup, extractor, bench, figures } of started) {
    const images = setup.engine === 'tfjs' ? count('baseline-images') : count('images');
    const extraction = await measureExtraction(extractor, files, images);
    const added = await measureAddProducts(bench.catalog, files, images, `round-${round}`);
    figures.extraction.push(extraction.imagesPerSecond);
    figures.meanBatch.push(extraction.meanBatch);
    figures.addProducts.push(added);
    console.log(`round ${round}: ${setup.name}: ${extraction.imagesPerSecond.toFixed(2)} images/s extracted, ${added.toFixed(2)} added`);
  }
}
const pixels = (await prepareImage(files[0]!, { maxBytes: 10 * 1024 * 1024 })).pixels;
for (const { extractor, bench, figures } of started) {
  figures.loneMs = await measureLoneLatency(extractor, pixels);
  await bench.close();
  await extractor.close();
}
const peakAfter = await peak();
// The machine's peak is every core at the single-thread rate unless the
// all-thread product did better: on a machine shared with other work the
// all-thread figure drops with the load, and a floor from it would flatter.
const peakAll = Math.max(peakBefore.all, peakAfter.all, cores * Math.max(peakBefore.one, peakAfter.one));
const floorRate = (peakAll * 1e9) / flops;
const loadAfter = loadavg();

const best = (values: number[]) => Math.max(...values);
const rows = started.map(({ setup, figures }) => {
  const extraction = best(figures.extraction);
  const added = best(figures.addProducts);
  return {
    setup: setup.name,
    workers: setup.workers,
    threads: setup.threads,
    extractionImagesPerSecond: extraction,
    msPerImage: 1000 / extraction,
    addProductsImagesPerSecond: added,
    extractionOverFloor: floorRate / extraction,
    addProductsOverFloor: floorRate / added,
    meanBatch: Math.max(...figures.meanBatch),
    loneImageMs: figures.loneMs,
    rounds: figures,
  };
});
const [tfjsOne, tfjsAll, onnxOne, onnxShared, onnxDefault] = rows;
const baseline = tfjsOne!.extractionImagesPerSecond;

console.log(`\nbest of ${rounds} rounds; floor: ${(flops / 1e9).toFixed(2)} GFLOP per image at ${peakAll.toFixed(1)} GFLOP/s = ${floorRate.toFixed(1)} images/s (${(1000 / floorRate).toFixed(1)} ms per image)\n`);
printTable(
  ['setup', 'extract img/s', 'ms/img', 'addProducts img/s', 'x floor (extract)', 'x floor (add)', 'vs tfjs 1 worker', 'lone image ms'],
  rows.map((row) => [
    row.setup,
    row.extractionImagesPerSecond.toFixed(2),
    row.msPerImage.toFixed(1),
    row.addProductsImagesPerSecond.toFixed(2),
    `${row.extractionOverFloor.toFixed(2)}x`,
    `${row.addProductsOverFloor.toFixed(2)}x`,
    `${(row.extractionImagesPerSecond / baseline).toFixed(1)}x`,
    row.loneImageMs.toFixed(0),
  ]),
);
const scaling = {
  tfjs: tfjsAll!.extractionImagesPerSecond / tfjsOne!.extractionImagesPerSecond,
  onnx: onnxDefault!.extractionImagesPerSecond / onnxOne!.extractionImagesPerSecond,
  sessionPerCoreOverSharedSession: onnxDefault!.extractionImagesPerSecond / onnxShared!.extractionImagesPerSecond,
};
console.log(`\nscaling, ${cores} workers over 1 (extraction): tfjs wasm ${scaling.tfjs.toFixed(2)}x, onnx ${scaling.onnx.toFixed(2)}x (target 1.8x)`);
console.log(`onnx: a single-threaded session per core is ${scaling.sessionPerCoreOverSharedSession.toFixed(2)}x one session over ${cores} threads`);
console.log(`sgemm peak after: ${peakAfter.one.toFixed(1)} GFLOP/s on 1 thread, ${peakAfter.all.toFixed(1)} on ${cores}; load average ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

await mkdir(dirname(flags.out), { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
  flags,
  flopsPerImage: flops,
  peakGflops: { before: peakBefore, after: peakAfter, used: peakAll },
  floorImagesPerSecond: floorRate,
  rows,
  scaling,
};
await writeFile(flags.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${flags.out}`);
