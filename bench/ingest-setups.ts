import { availableParallelism } from 'node:os';
import { selectBackend } from '../src/ml/backend.js';
import { Batcher } from '../src/ml/batcher.js';
import { createFeatureExtractor, type FeatureExtractor } from '../src/ml/feature-extractor.js';
import { FeatureWorkerRunner } from '../src/ml/feature-worker-runner.js';
import { ensureOnnxResnet50 } from '../src/ml/onnx/onnx-model-cache.js';
import { resolveResnet50Model } from '../src/ml/resnet50-weights.js';

export interface Setup {
  name: string;
  engine: 'tfjs' | 'onnx';
  workers: number;
  threads: number;
  start(): Promise<FeatureExtractor>;
}

export interface SetupOptions {
  cacheDir: string;
  maxBatchSize: number;
  batchWindowMs: number;
}

/**
 * What is compared: TensorFlow.js on wasm (single-threaded per worker) with
 * one worker and one per core; ONNX Runtime with one single-threaded session
 * (the per-core baseline), one session over all cores, and one
 * single-threaded session per core (the service's default).
 */
export function setups(options: SetupOptions): Setup[] {
  const cores = availableParallelism();
  const common = { backend: 'wasm', maxBatchSize: options.maxBatchSize, batchWindowMs: options.batchWindowMs, cacheDir: options.cacheDir } as const;
  return [
    { name: 'tfjs wasm, 1 worker', engine: 'tfjs', workers: 1, threads: 1, start: () => createFeatureExtractor({ ...common, engine: 'tfjs', workers: 1 }) },
    {
      name: `tfjs wasm, ${cores} workers`,
      engine: 'tfjs',
      workers: cores,
      threads: 1,
      start: () => createFeatureExtractor({ ...common, engine: 'tfjs', workers: cores }),
    },
    { name: 'onnx, 1 session x 1 thread', engine: 'onnx', workers: 1, threads: 1, start: () => singleThreadedOnnx(options) },
    {
      name: `onnx, 1 session x ${cores} threads`,
      engine: 'onnx',
      workers: 1,
      threads: cores,
      start: () => createFeatureExtractor({ ...common, engine: 'onnx', workers: 1 }),
    },
    {
      name: `onnx, ${cores} sessions x 1 thread (default)`,
      engine: 'onnx',
      workers: cores,
      threads: 1,
      start: () => createFeatureExtractor({ ...common, engine: 'onnx', workers: cores }),
    },
  ];
}

/**
 * One single-threaded ONNX session behind the batcher: the extractor's own
 * settings cannot ask for it (one worker gets every core's thread), but it is
 * the per-core figure the scaling is measured against.
 */
async function singleThreadedOnnx(options: SetupOptions): Promise<FeatureExtractor> {
  const tfBackend = await selectBackend('wasm');
  const { modelUrl } = await resolveResnet50Model({ cacheDir: options.cacheDir });
  const { path } = await ensureOnnxResnet50({ cacheDir: options.cacheDir, modelUrl });
  const runner = await FeatureWorkerRunner.start({ engine: 'onnx', modelPath: path, threads: 1 });
  const batcher = new Batcher([runner], options);
  return {
    backend: 'onnx',
    tfBackend,
    workers: 1,
    extract: (images) => Promise.all(images.map((image) => batcher.submit(image))),
    stats: () => {
      const { batches, items, queued, busy } = batcher.stats();
      return { batches, images: items, queued, busy };
    },
    close: async () => {
      await batcher.drain();
      await runner.close();
    },
  };
}

