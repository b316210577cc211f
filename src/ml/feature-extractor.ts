import type { BackendChoice } from '../config.js';
import { Batcher, type BatchRunner } from './batcher.js';
import { selectBackend, type BackendName } from './backend.js';
import { FeatureWorkerRunner } from './feature-worker-runner.js';
import { INPUT_LENGTH } from './image.js';
import { Resnet50 } from './resnet50.js';
import { resolveResnet50Model } from './resnet50-weights.js';

export interface FeatureExtractorOptions {
  backend: BackendChoice;
  /** Worker threads for the wasm and cpu backends; the native backend runs one model in-process. */
  workers: number;
  maxBatchSize: number;
  batchWindowMs: number;
  cacheDir: string;
  modelUrl?: string;
}

export interface FeatureExtractorStats {
  /** Batches sent to the model since start. */
  batches: number;
  /** Images in those batches. */
  images: number;
  /** Images waiting for a batch or a free model. */
  queued: number;
  /** Models working on a batch now. */
  busy: number;
}

export interface FeatureExtractor {
  /** The TensorFlow.js backend the model runs on. */
  readonly backend: BackendName;
  /** Worker threads, each with its own model; 0 when the model runs in this thread. */
  readonly workers: number;
  /** 2048-d ResNet50 `avg_pool` features, one per image of prepared 224x224x3 RGB pixels. */
  extract(images: Uint8Array[]): Promise<Float32Array[]>;
  stats(): FeatureExtractorStats;
  /** Finishes the work already submitted, then frees the models and workers. */
  close(): Promise<void>;
}

interface ClosableRunner extends BatchRunner<Uint8Array, Float32Array> {
  close(): Promise<void>;
}

/**
 * Fetches the weights if needed, makes the chosen backend the active one in
 * this thread, and starts the models.
 *
 * Where the models run depends on the backend. The native TensorFlow backend
 * already spreads one batch over all cores (and a GPU holds one copy of the
 * weights best), so a single in-process model serves every request. The wasm
 * backend runs single-threaded in Node and the cpu backend is plain
 * JavaScript: both would use one core and block this thread's event loop for
 * the whole batch, so they get one worker thread per configured worker, each
 * with its own model.
 */
export async function createFeatureExtractor(options: FeatureExtractorOptions): Promise<FeatureExtractor> {
  const { modelUrl } = await resolveResnet50Model({ cacheDir: options.cacheDir, modelUrl: options.modelUrl });
  const backend = await selectBackend(options.backend);
  const runners = backend === 'tensorflow' ? [await inProcess(modelUrl)] : await inWorkers(options.workers, backend, modelUrl);
  const batcher = new Batcher(runners, { maxBatchSize: options.maxBatchSize, batchWindowMs: options.batchWindowMs });
  let closing: Promise<void> | undefined;

  return {
    backend,
    workers: backend === 'tensorflow' ? 0 : runners.length,
    extract(images) {
      const wrong = images.findIndex((image) => !(image instanceof Uint8Array) || image.length !== INPUT_LENGTH);
      if (wrong >= 0) {
        return Promise.reject(new TypeError(`image ${wrong} is not ${INPUT_LENGTH} bytes of 224x224 RGB pixels`));
      }
      return Promise.all(images.map((image) => batcher.submit(image)));
    },
    stats() {
      const { batches, items, queued, busy } = batcher.stats();
      return { batches, images: items, queued, busy };
    },
    close() {
      closing ??= batcher.drain().then(() => Promise.all(runners.map((runner) => runner.close())).then(() => undefined));
      return closing;
    },
  };
}

async function inProcess(modelUrl: string): Promise<ClosableRunner> {
  const model = await Resnet50.load(modelUrl);
  return {
    run: (images) => model.features(images),
    close: async () => model.dispose(),
  };
}

async function inWorkers(count: number, backend: 'wasm' | 'cpu', modelUrl: string): Promise<ClosableRunner[]> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`feature workers must be a positive integer, got ${count}`);
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => FeatureWorkerRunner.start({ backend, modelUrl })),
  );
  const runners = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(runners.map((runner) => runner.close()));
    throw failure.reason;
  }
  return runners;
}
