import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend.js';
import { CategoricalHead } from './categorical-head.js';
import type { HeadWorkerData, HeadWorkerReply, HeadWorkerRequest } from './head-worker-protocol.js';
import { trainHead } from './train-head.js';

// Worker thread entry: runs one training or embedding job on its own backend
// instance, so the CPU-bound work leaves the caller's event loop free.
const port = parentPort;
if (!port) throw new Error('head-worker must run as a worker thread');
const { backend } = workerData as HeadWorkerData;

const send = (reply: HeadWorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

async function run(request: HeadWorkerRequest): Promise<void> {
  if (request.type === 'train') {
    const result = await trainHead(request.input, {
      ...request.options,
      onEpoch: (metrics) => send({ type: 'epoch', metrics }),
    });
    send({ type: 'trained', result }, [result.head.weights.buffer as ArrayBuffer]);
    return;
  }
  const head = CategoricalHead.fromSerialized(request.head);
  try {
    const result = head.embed(request.x, request.chunkRows);
    const { embeddings, predicted } = result;
    send({ type: 'embedded', result }, [embeddings.data.buffer as ArrayBuffer, predicted.buffer as ArrayBuffer]);
  } finally {
    head.dispose();
  }
}

// The native backend runs the head in the caller's thread (it does not block
// it), so a worker never needs it.
const active = await selectBackend(backend, ['wasm', 'cpu']);
port.once('message', (request: HeadWorkerRequest) => {
  run(request).catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  });
});
send({ type: 'ready', backend: active });
