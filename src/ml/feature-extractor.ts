import type { BackendChoice, FeatureEngineChoice } from '../config.js';
import { Batcher, type BatchRunner } from './batcher.js';
import { selectBackend, type BackendName } from './backend.js';
import type { FeatureWorkerData } from './feature-worker-protocol.js';
import { FeatureWorkerRunner } from './feature-worker-runner.js';
import { INPUT_LENGTH } from './image.js';
import { ensureOnnxResnet50 } from './onnx/onnx-model-cache.js';
import { Resnet50 } from './resnet50.js';
import { resolveResnet50Model } from './resnet50-weights.js';

/** What runs ResNet50: ONNX Runtime, or TensorFlow.js (on `FeatureExtractor.backend`). */
export type FeatureEngine = Exclude<FeatureEngineChoice, 'auto'>;

export interface FeatureExtractorOptions {
  /**
   * 'onnx' or 'tfjs' loads that engine or throws; 'auto' takes the fastest
   * that loads: TensorFlow.js when its native (GPU) backend is active, else
   * ONNX Runtime, else TensorFlow.js on wasm or cpu. Absent means 'tfjs', as
   * before the ONNX engine existed; the service passes FEATURE_ENGINE.
   */
  engine?: FeatureEngineChoice;
  /** The TensorFlow.js backend: for this thread (the categorical head) and for ResNet50 on the tfjs engine. */
  backend: BackendChoice;
  /**
   * Cores for ResNet50: worker threads each with its own model on the wasm
   * and cpu backends, the threads of the one ONNX Runtime session on the onnx
   * engine; the native TensorFlow backend runs one model in-process.
   */
  workers: number;
  maxBatchSize: number;
  batchWindowMs: number;
  /** Images that may wait for ResNet50; a call that would pass it is refused whole with TOO_BUSY. Unbounded when absent. */
  queueCapacity?: number;
  cacheDir: string;
  modelUrl?: string;
  /** Told why 'auto' fell back from ONNX Runtime to TensorFlow.js. */
  log?: (line: string) => void;
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
  /** What runs ResNet50. */
  readonly engine: FeatureEngine;
  /** The TensorFlow.js backend active in this thread: the categorical head runs on it, and ResNet50 too on the tfjs engine. */
  readonly backend: BackendName;
  /** Worker threads, each with its own model (one for ONNX Runtime); 0 when the model runs in this thread. */
  readonly workers: number;
  /** 2048-d ResNet50 `avg_pool` features, one per image of prepared 224x224x3 RGB pixels; TOO_BUSY when the queue is full. */
  extract(images: Uint8Array[]): Promise<Float32Array[]>;
  stats(): FeatureExtractorStats;
  /** Finishes the work already submitted, then frees the models and workers. */
  close(): Promise<void>;
}

interface ClosableRunner extends BatchRunner<Uint8Array, Float32Array> {
  close(): Promise<void>;
}

/**
 * Fetches the weights if needed (and converts them to ONNX for the onnx
 * engine), makes the chosen TensorFlow.js backend the active one in this
 * thread, and starts the models.
 *
 * Where the models run depends on the engine and backend. ONNX Runtime runs
 * one multi-threaded session in a worker thread (see onnxWorker). The native
 * TensorFlow backend already spreads one batch over all cores (and a GPU
 * holds one copy of the weights best), so a single in-process model serves
 * every request. The wasm backend runs single-threaded in Node and the cpu
 * backend is plain JavaScript: both would use one core and block this
 * thread's event loop for the whole batch, so they get one worker thread per
 * configured worker, each with its own model.
 */
export async function createFeatureExtractor(options: FeatureExtractorOptions): Promise<FeatureExtractor> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new Error(`feature workers must be a positive integer, got ${options.workers}`);
  }
  const { modelUrl } = await resolveResnet50Model({ cacheDir: options.cacheDir, modelUrl: options.modelUrl, log: options.log });
  const backend = await selectBackend(options.backend);
  const choice = options.engine ?? 'tfjs';
  let engine: FeatureEngine = 'tfjs';
  let runners: ClosableRunner[] | undefined;
  if (choice === 'onnx' || (choice === 'auto' && backend !== 'tensorflow')) {
    try {
      runners = await onnxWorker(options.workers, options.cacheDir, modelUrl, options.log);
      engine = 'onnx';
    } catch (error) {
      if (choice === 'onnx') throw error;
      options.log?.(`ONNX Runtime did not start, ResNet50 runs on TensorFlow.js: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  runners ??= backend === 'tensorflow' ? [await inProcess(modelUrl)] : await inWorkers(options.workers, { backend, modelUrl });
  const batcher = new Batcher(runners, {
    maxBatchSize: options.maxBatchSize,
    batchWindowMs: options.batchWindowMs,
    capacity: options.queueCapacity,
  });
  let closing: Promise<void> | undefined;

  return {
    engine,
    backend,
    workers: engine === 'tfjs' && backend === 'tensorflow' ? 0 : runners.length,
    extract(images) {
      const wrong = images.findIndex((image) => !(image instanceof Uint8Array) || image.length !== INPUT_LENGTH);
      if (wrong >= 0) {
        return Promise.reject(new TypeError(`image ${wrong} is not ${INPUT_LENGTH} bytes of 224x224 RGB pixels`));
      }
      return batcher.submitAll(images);
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

/**
 * ONNX Runtime is multi-threaded itself, so one session over all cores and a
 * single-threaded session per core are both possible. Measured on 2 cores
 * (bench/ingest.ts, bench/RESULTS.md) they reach the same images/s, but one
 * session answers a lone image in ~30 ms instead of ~51 and holds one copy of
 * the weights and activations (~500 MB less). So the engine runs one session
 * with `threads` threads, in a worker thread because its run holds the
 * calling thread for the whole batch.
 */
async function onnxWorker(threads: number, cacheDir: string, modelUrl: string, log: ((line: string) => void) | undefined): Promise<ClosableRunner[]> {
  const { path } = await ensureOnnxResnet50({ cacheDir, modelUrl, log });
  return inWorkers(1, { engine: 'onnx', modelPath: path, threads });
}

async function inWorkers(count: number, data: FeatureWorkerData): Promise<ClosableRunner[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => FeatureWorkerRunner.start(data)));
  const runners = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(runners.map((runner) => runner.close()));
    throw failure.reason;
  }
  return runners;
}
