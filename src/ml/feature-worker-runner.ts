import type { Worker } from 'node:worker_threads';
import { siblingWorkerUrl, startWorker } from '../util/start-worker.js';
import type { BatchRunner } from './batcher.js';
import type { FeatureWorkerData, FeatureWorkerReply, FeatureWorkerRequest } from './feature-worker-protocol.js';
import { INPUT_LENGTH } from './image.js';

const WORKER_URL = siblingWorkerUrl('feature-worker', import.meta.url);


interface InFlight {
  id: number;
  resolve(features: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * Runs batches on one worker thread. A worker that dies fails only the batch
 * it was running; the next batch starts a fresh worker.
 */
export class FeatureWorkerRunner implements BatchRunner<Uint8Array, Float32Array> {
  private worker: Promise<Worker> | undefined;
  private current: Worker | undefined;
  private inFlight: InFlight | undefined;
  private nextId = 0;
  private closed = false;

  private constructor(private readonly data: FeatureWorkerData) {}

  /** Resolves once the worker has loaded its model. */
  static async start(data: FeatureWorkerData): Promise<FeatureWorkerRunner> {
    const runner = new FeatureWorkerRunner(data);
    await runner.ensureWorker();
    return runner;
  }

  async run(images: Uint8Array[]): Promise<Float32Array[]> {
    if (this.inFlight) throw new Error('a feature worker runs one batch at a time');
    const worker = await this.ensureWorker();
    // One copy into a buffer of our own, which then moves to the worker
    // without another; the caller's arrays stay usable.
    const pixels = new Uint8Array(images.length * INPUT_LENGTH);
    images.forEach((image, i) => pixels.set(image, i * INPUT_LENGTH));
    const request: FeatureWorkerRequest = { id: ++this.nextId, pixels, count: images.length };
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.inFlight = { id: request.id, resolve, reject };
      worker.postMessage(request, [pixels.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = await this.worker?.catch(() => undefined);
    await worker?.terminate();
  }

  private ensureWorker(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error('the feature worker is closed'));
    this.worker ??= this.spawn();
    return this.worker;
  }

  private spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      const worker = startWorker(WORKER_URL, this.data);
      this.current = worker;
      let ready = false;
      const fail = (error: Error) => {
        // 'error' is followed by 'exit', possibly after a replacement started.
        if (this.current !== worker) return;
        this.current = undefined;
        this.worker = undefined;
        if (!ready) reject(error);
        this.settle((pending) => pending.reject(error));
      };
      worker.on('message', (reply: FeatureWorkerReply) => {
        if (reply.type === 'ready') {
          ready = true;
          resolve(worker);
        } else if (reply.type === 'result') {
          this.settle((pending) => pending.resolve(reply.features), reply.id);
        } else {
          this.settle((pending) => pending.reject(new Error(`feature extraction failed: ${reply.message}`)), reply.id);
        }
      });
      worker.on('error', (error) => fail(new Error(`feature worker failed: ${error.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) fail(new Error(`feature worker exited with code ${code}`));
      });
    });
  }

  private settle(action: (pending: InFlight) => void, id?: number): void {
    const pending = this.inFlight;
    if (!pending || (id !== undefined && id !== pending.id)) return;
    this.inFlight = undefined;
    action(pending);
  }
}
