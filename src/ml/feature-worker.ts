import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from './backend.js';
import type { FeatureWorkerData, FeatureWorkerReply, FeatureWorkerRequest } from './feature-worker-protocol.js';
import { INPUT_LENGTH } from './image.js';
import { Resnet50 } from './resnet50.js';

// Worker thread entry: one ResNet50 on its own backend instance, one batch at a time.
const port = parentPort;
if (!port) throw new Error('feature-worker must run as a worker thread');
const { backend, modelUrl } = workerData as FeatureWorkerData;

await selectBackend(backend);
const model = await Resnet50.load(modelUrl);

port.on('message', async ({ id, pixels, count }: FeatureWorkerRequest) => {
  let reply: FeatureWorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const images = Array.from({ length: count }, (_, i) => pixels.subarray(i * INPUT_LENGTH, (i + 1) * INPUT_LENGTH));
    const features = await model.features(images);
    reply = { type: 'result', id, features };
    transfer = features.map((vector) => vector.buffer as ArrayBuffer);
  } catch (error) {
    reply = { type: 'error', id, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ type: 'ready' } satisfies FeatureWorkerReply);
