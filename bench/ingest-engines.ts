import { availableParallelism } from 'node:os';
import { loadConfig } from '../src/config.js';
import { prepareImage } from '../src/ml/image.js';
import { resolveResnet50Model } from '../src/ml/resnet50-weights.js';
import { openBenchCatalog } from './ingest-catalog.js';
import { measureCoreScaling } from './ingest-cores.js';
import { resnet50Flops } from './ingest-flops.js';
import { measureAddProducts, measureDecoding, measureExtraction, measureLoneLatency, measureModel, readPhotoFiles } from './ingest-measure.js';
import { measurePeakGflops } from './ingest-peak.js';
import { setups } from './ingest-setups.js';
import { printTable } from './table.js';

export interface EngineOptions {
  images: number;
  baselineImages: number;
  rounds: number;
  maxBatchSize: number;
  batchWindowMs: number;
}

/**
 * The engines compared: images per second through ResNet50
 * alone, through the feature extractor with decoding (decode + ResNet50) and
 * through CatalogService.addProducts (decode + ResNet50 + store, in-memory
 * PGlite), for TensorFlow.js on wasm (the baseline) and ONNX Runtime, with one
 * and with all workers, each beside the FLOP floor at the machine's peak
 * measured in the same run; then the whole service pinned to one core and to
 * all of them (bench/ingest-cores.ts), for each engine. Prints its tables and
 * returns the figures.
 */
export async function measureEngines({ images, baselineImages, rounds, maxBatchSize, batchWindowMs }: EngineOptions) {
  const cores = availableParallelism();
  const cacheDir = loadConfig(process.env).modelCacheDir;
  const files = await readPhotoFiles();
  const pixels = await Promise.all(files.map(async (file) => (await prepareImage(file, { maxBytes: 10 * 1024 * 1024 })).pixels));

  const { modelUrl } = await resolveResnet50Model({ cacheDir });
  const flops = await resnet50Flops(modelUrl);
  const peak = async () => ({ one: await measurePeakGflops(1), all: await measurePeakGflops(cores) });
  const peakBefore = await peak();
  console.log(`ResNet50 to avg_pool: ${(flops / 1e9).toFixed(2)} GFLOP per image (counted from the model's convolutions)`);
  console.log(`sgemm 2048^3 through ONNX Runtime: ${peakBefore.one.toFixed(1)} GFLOP/s on 1 thread, ${peakBefore.all.toFixed(1)} on ${cores}\n`);

  interface Figures {
    model: number[];
    extraction: number[];
    addProducts: number[];
    loneMs: number;
  }
  const started = [];
  for (const setup of setups({ cacheDir, maxBatchSize, batchWindowMs })) {
    const extractor = await setup.start();
    const bench = await openBenchCatalog(extractor);
    // Warm-up: every worker runs a batch and the database a transaction before anything is timed.
    await measureExtraction(extractor, files, 2 * cores);
    await measureAddProducts(bench.catalog, files, 2, 'warm-up');
    const figures: Figures = { model: [], extraction: [], addProducts: [], loneMs: 0 };
    started.push({ setup, extractor, bench, figures });
    console.log(`started ${setup.name} (ResNet50 on ${extractor.engine} / ${extractor.backend})`);
  }
  // Rounds interleave the setups, so a burst of other load on the machine
  // touches every setup's figures alike; each setup's best round is reported.
  const decoding: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    decoding.push(await measureDecoding(files, images));
    for (const { setup, extractor, bench, figures } of started) {
      const count = setup.engine === 'tfjs' ? baselineImages : images;
      figures.model.push(await measureModel(extractor, pixels, count));
      figures.extraction.push(await measureExtraction(extractor, files, count));
      figures.addProducts.push(await measureAddProducts(bench.catalog, files, count, `round-${round}`));
      const last = (values: number[]) => values.at(-1)!.toFixed(2);
      console.log(`round ${round}: ${setup.name}: ${last(figures.model)} ResNet50 alone, ${last(figures.extraction)} with decoding, ${last(figures.addProducts)} added (images/s)`);
    }
  }
  for (const { extractor, bench, figures } of started) {
    figures.loneMs = await measureLoneLatency(extractor, pixels[0]!);
    await bench.close();
    await extractor.close();
  }
  // The service pinned to one core and to all: each engine's addProducts
  // scaling with cores, decoding and database included.
  const coreScaling = [];
  for (const engine of ['onnx', 'tfjs'] as const) {
    const figures = await measureCoreScaling({ engine, cores, images: engine === 'tfjs' ? baselineImages : images, rounds });
    if (!figures) {
      console.log('taskset is missing: no per-core-count figures');
      break;
    }
    coreScaling.push(figures);
    console.log(`the service on ${engine}, 1 and ${cores} cores: ${Object.values(figures.imagesPerSecond).map((v) => v.map((f) => f.toFixed(2)).join(', ')).join(' / ')} images/s`);
  }
  const peakAfter = await peak();
  // The machine's peak is every core at the single-thread rate unless the
  // all-thread product did better: on a machine shared with other work the
  // all-thread figure drops with the load, and a floor from it would flatter.
  const peakAll = Math.max(peakBefore.all, peakAfter.all, cores * Math.max(peakBefore.one, peakAfter.one));
  const floorRate = (peakAll * 1e9) / flops;

  const best = (values: number[]) => Math.max(...values);
  const rows = started.map(({ setup, figures }) => ({
    setup: setup.name,
    modelImagesPerSecond: best(figures.model),
    extractionImagesPerSecond: best(figures.extraction),
    addProductsImagesPerSecond: best(figures.addProducts),
    loneImageMs: figures.loneMs,
    rounds: figures,
  }));
  const [tfjsOne, tfjsAll, onnxOne, onnxAll, onnxPerCore] = rows;
  const x = (value: number) => `${value.toFixed(2)}x`;

  console.log(`\nbest of ${rounds} rounds; floor: ${(flops / 1e9).toFixed(2)} GFLOP per image at ${peakAll.toFixed(1)} GFLOP/s = ${floorRate.toFixed(1)} images/s (${(1000 / floorRate).toFixed(1)} ms per image)`);
  console.log(`decoding alone (prepareImage on all cores, nothing else running): ${best(decoding).toFixed(1)} images/s\n`);
  printTable(
    ['setup', 'ResNet50 alone img/s', 'x floor', 'decode + ResNet50 img/s', 'addProducts img/s', 'x floor', 'vs tfjs 1 worker', 'lone image ms'],
    rows.map((row) => [
      row.setup,
      row.modelImagesPerSecond.toFixed(2),
      x(floorRate / row.modelImagesPerSecond),
      row.extractionImagesPerSecond.toFixed(2),
      row.addProductsImagesPerSecond.toFixed(2),
      x(floorRate / row.addProductsImagesPerSecond),
      x(row.addProductsImagesPerSecond / tfjsOne!.addProductsImagesPerSecond),
      row.loneImageMs.toFixed(0),
    ]),
  );
  const ratio = (a: typeof tfjsOne, b: typeof tfjsOne) => ({
    model: a!.modelImagesPerSecond / b!.modelImagesPerSecond,
    extraction: a!.extractionImagesPerSecond / b!.extractionImagesPerSecond,
    addProducts: a!.addProductsImagesPerSecond / b!.addProductsImagesPerSecond,
  });
  const scaling = { tfjs: ratio(tfjsAll, tfjsOne), onnx: ratio(onnxAll, onnxOne), sessionPerCoreOverShared: ratio(onnxPerCore, onnxAll) };
  const sgemm = { before: peakBefore.all / peakBefore.one, after: peakAfter.all / peakAfter.one };
  const line = (r: ReturnType<typeof ratio>) => `${x(r.model)} ResNet50 alone, ${x(r.extraction)} with decoding, ${x(r.addProducts)} addProducts`;
  console.log(`\nscaling, all cores over one (target 1.8x):`);
  console.log(`  tfjs wasm, ${cores} workers over 1: ${line(scaling.tfjs)}`);
  console.log(`  onnx, ${cores} threads over 1:   ${line(scaling.onnx)}`);
  // What the machine itself gave a second thread in this run: below `cores`
  // when other work shares the machine.
  console.log(`  sgemm, ${cores} threads over 1: ${x(sgemm.before)} before, ${x(sgemm.after)} after`);
  if (coreScaling.length > 0) {
    console.log(`\nthe service pinned to 1 core and to ${cores} (taskset; settings' defaults; addProducts, decoding and database included):`);
    printTable(
      ['ResNet50 on', '1 core img/s', `${cores} cores img/s`, 'scaling', 'x floor'],
      coreScaling.map(({ engine, imagesPerSecond }) => {
        const one = best(imagesPerSecond[1]!);
        const all = best(imagesPerSecond[cores]!);
        return [engine, one.toFixed(2), all.toFixed(2), x(all / one), x(floorRate / all)];
      }),
    );
  }
  console.log(`onnx, a single-threaded session per core over one session of ${cores} threads: ${line(scaling.sessionPerCoreOverShared)}`);
  console.log(`sgemm peak after: ${peakAfter.one.toFixed(1)} GFLOP/s on 1 thread, ${peakAfter.all.toFixed(1)} on ${cores}`);

  return {
    flopsPerImage: flops,
    peakGflops: { before: peakBefore, after: peakAfter, used: peakAll },
    floorImagesPerSecond: floorRate,
    decodingImagesPerSecond: decoding,
    rows,
    scaling: { ...scaling, sgemm },
    coreScaling,
  };
}
