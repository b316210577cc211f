import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureWorkerData, FeatureWorkerReply, FeatureWorkerRequest } from './feature-worker-protocol.js';
import { INPUT_LENGTH } from './image.js';

// Worker thread entry: one ResNet50 on its own engine instance, one batch at a time.
const port = parentPort;
if (!port) throw new Error('feature-worker must run as a worker thread');

const model = await load(workerData as FeatureWorkerData);

// Each engine's runtime is imported only by its own workers: an ONNX worker
// does not need TensorFlow.js in memory, nor a TensorFlow.js one ONNX Runtime.
async function load(data: FeatureWorkerData): Promise<{ features(images: Uint8Array[]): Promise<Float32Array[]> }> {
  if (data.engine === 'onnx') {
    const { OnnxResnet50 } = await import('./onnx/onnx-resnet50.js');
    return OnnxResnet50.load(data.modelPath, { threads: data.threads });
  }
  const [{ selectBackend }, { Resnet50 }] = await Promise.all([import('./backend.js'), import('./resnet50.js')]);
  await selectBackend(data.backend);
  return Resnet50.load(data.modelUrl);
}

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
