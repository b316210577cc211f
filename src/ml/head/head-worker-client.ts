import { siblingWorkerUrl, startWorker } from '../../util/start-worker.js';
import type { BackendChoice } from '../../config.js';
import { selectBackend, type BackendName } from '../backend.js';
import { CategoricalHead, type Embedded } from './categorical-head.js';
import type { HeadWorkerData, HeadWorkerReply, HeadWorkerRequest, WorkerBackend } from './head-worker-protocol.js';
import { toMatrix, type Matrix, type RowsInput } from './matrix.js';
import type { SerializedHead } from './serialized-head.js';
import { trainHead, type HeadTrainingInput, type HeadTrainingOptions, type HeadTrainingResult } from './train-head.js';

const WORKER_URL = siblingWorkerUrl('head-worker', import.meta.url);

export interface HeadWorkerOptions {
  /**
   * The TensorFlow.js backend to run on. 'wasm', 'cpu' and 'auto' run in a
   * worker thread ('auto' there: wasm, else cpu). 'tensorflow' runs in this
   * thread instead, yielding to its event loop between batches: the native
   * addon cannot be loaded by a second thread (see WorkerBackend), and its
   * kernels run on TensorFlow's own thread pool anyway.
   */
  backend: BackendChoice;
  /** Aborting stops the job (terminating its worker); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * trainHead, off this thread's event loop. In a worker, matrices given as a
 * Matrix have their buffers transferred, not copied, and are unusable here
 * afterwards (rows given as arrays are packed into new buffers first).
 * onEpoch runs here, once per epoch, in order; if it throws, training stops.
 */
export async function trainHeadInWorker(
  input: HeadTrainingInput,
  options: HeadWorkerOptions & HeadTrainingOptions,
): Promise<HeadTrainingResult & { backend: BackendName }> {
  if (options.backend === 'tensorflow') {
    await selectBackend('tensorflow');
    return { ...(await trainHead(input, options)), backend: 'tensorflow' };
  }
  const train = { x: movable(toMatrix(input.train.x)), labels: Int32Array.from(input.train.labels) };
  const validation = { x: movable(toMatrix(input.validation.x)), labels: Int32Array.from(input.validation.labels) };
  const initialHead = options.initialHead && { ...options.initialHead, weights: options.initialHead.weights.slice() };
  const request: HeadWorkerRequest = {
    type: 'train',
    input: { train, validation, classes: input.classes },
    options: { hyperparameters: options.hyperparameters, initialHead },
  };
  const transfer = [train.x.data, train.labels, validation.x.data, validation.labels, initialHead?.weights];
  const { backend: choice, signal } = options;
  let progress = Promise.resolve();
  const { reply, backend } = await runInWorker(request, transfer, { backend: choice, signal }, (reply, fail) => {
    if (reply.type !== 'epoch') return;
    progress = progress.then(() => options.onEpoch?.(reply.metrics));
    progress.catch(fail);
  });
  // A failure of the last onEpoch can come after the worker's answer.
  await progress;
  if (reply.type !== 'trained') throw new Error(`head worker answered ${reply.type} to a training job`);
  return { ...reply.result, backend };
}

/**
 * CategoricalHead#embed for many rows, off this thread's event loop (see
 * HeadWorkerOptions); in a worker, a given Matrix's buffer is transferred.
 */
export async function embedInWorker(
  head: SerializedHead,
  x: RowsInput,
  options: HeadWorkerOptions & { chunkRows?: number },
): Promise<Embedded> {
  if (options.backend === 'tensorflow') {
    await selectBackend('tensorflow');
    const model = CategoricalHead.fromSerialized(head);
    try {
      return await model.embedInTurns(x, options.chunkRows);
    } finally {
      model.dispose();
    }
  }
  const matrix = movable(toMatrix(x));
  const request: HeadWorkerRequest = { type: 'embed', head, x: matrix, chunkRows: options.chunkRows };
  const { backend, signal } = options;
  const { reply } = await runInWorker(request, [matrix.data], { backend, signal }, () => undefined);
  if (reply.type !== 'embedded') throw new Error(`head worker answered ${reply.type} to an embedding job`);
  return reply.result;
}

type FinalReply = Extract<HeadWorkerReply, { type: 'trained' | 'embedded' }>;

/** Starts a worker, gives it one job and settles with its last reply; the worker ends either way. */
function runInWorker(
  request: HeadWorkerRequest,
  arrays: (ArrayBufferView | undefined)[],
  { backend, signal }: { backend: WorkerBackend; signal?: AbortSignal },
  onProgress: (reply: HeadWorkerReply, fail: (error: unknown) => void) => void,
): Promise<{ reply: FinalReply; backend: BackendName }> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const worker = startWorker(WORKER_URL, { backend } satisfies HeadWorkerData);
    let active: BackendName | undefined;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      settle();
    };
    const fail = (error: unknown) => finish(() => reject(error));
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: HeadWorkerReply) => {
      // Replies already on their way when the worker was stopped.
      if (settled) return;
      if (reply.type === 'ready') {
        active = reply.backend;
        worker.postMessage(request, transferable(arrays));
      } else if (reply.type === 'error') {
        fail(new Error(`head worker failed: ${reply.message}`));
      } else if (reply.type === 'epoch') {
        onProgress(reply, fail);
      } else {
        finish(() => resolve({ reply, backend: active! }));
      }
    });
    worker.on('error', (error) => fail(new Error(`head worker failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`head worker exited with code ${code} before it answered`)));
  });
}

/**
 * A matrix whose data is its buffer's only content, so that the buffer can
 * move: a view into a larger buffer is copied instead (moving it would take
 * the rest of the buffer along, and cloning it would copy all of it).
 */
function movable(matrix: Matrix): Matrix {
  const { data } = matrix;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  return whole ? matrix : { ...matrix, data: data.slice() };
}

function transferable(arrays: (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array?.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  return [...buffers];
}

