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
  start(): Promise<FeatureExtractor>;
}

export interface SetupOptions {
  cacheDir: string;
  maxBatchSize: number;
  batchWindowMs: number;
}

/**
 * What is compared: TensorFlow.js on wasm (single-threaded per worker) with
 * one worker and one per core; ONNX Runtime as one session on one thread and
 * on all cores (the service's default), and as one single-threaded session
 * per core, the other way to use the cores.
 */
export function setups(options: SetupOptions): Setup[] {
  const cores = availableParallelism();
  const common = { backend: 'wasm', maxBatchSize: options.maxBatchSize, batchWindowMs: options.batchWindowMs, cacheDir: options.cacheDir } as const;
  const extractor = (engine: 'tfjs' | 'onnx', workers: number) => () => createFeatureExtractor({ ...common, engine, workers });
  return [
    { name: 'tfjs wasm, 1 worker', engine: 'tfjs', start: extractor('tfjs', 1) },
    { name: `tfjs wasm, ${cores} workers`, engine: 'tfjs', start: extractor('tfjs', cores) },
    { name: 'onnx, 1 session x 1 thread', engine: 'onnx', start: extractor('onnx', 1) },
    { name: `onnx, 1 session x ${cores} threads (default)`, engine: 'onnx', start: extractor('onnx', cores) },
    { name: `onnx, ${cores} sessions x 1 thread`, engine: 'onnx', start: () => sessionPerCore(cores, options) },
  ];
}

/**
 * A single-threaded ONNX session per core behind the batcher, as the
 * extractor ran ONNX Runtime before the measurement chose one shared session;
 * its settings no longer ask for this layout.
 */
async function sessionPerCore(cores: number, options: SetupOptions): Promise<FeatureExtractor> {
  const backend = await selectBackend('wasm');
  const { modelUrl } = await resolveResnet50Model({ cacheDir: options.cacheDir });
  const { path } = await ensureOnnxResnet50({ cacheDir: options.cacheDir, modelUrl });
  const runners = await Promise.all(
    Array.from({ length: cores }, () => FeatureWorkerRunner.start({ engine: 'onnx', modelPath: path, threads: 1 })),
  );
  const batcher = new Batcher(runners, options);
  return {
    engine: 'onnx',
    backend,
    workers: cores,
    extract: (images) => Promise.all(images.map((image) => batcher.submit(image))),
    stats: () => {
      const { batches, items, queued, busy } = batcher.stats();
      return { batches, images: items, queued, busy };
    },
    close: async () => {
      await batcher.drain();
      await Promise.all(runners.map((runner) => runner.close()));
    },
  };
}
