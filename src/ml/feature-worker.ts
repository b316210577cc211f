import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureWorkerData, FeatureWorkerReply, FeatureWorkerRequest } from './feature-worker-protocol.js';
import { INPUT_LENGTH } from './image.js';

// Worker thread entry: one ResNet50 on its own engine instance, one batch at a time.
const port = parentPort;
if (!port) throw new Error('feature-worker must run as a worker thread');

const model = await load(workerData as FeatureWorkerData);

/** `count` images back to back in one buffer, to their features. */
type PackedModel = (pixels: Uint8Array, count: number) => Promise<Float32Array[]>;

// Each engine's runtime is imported only by its own workers: an ONNX worker
// does not need TensorFlow.js in memory, nor a TensorFlow.js one ONNX Runtime.
async function load(data: FeatureWorkerData): Promise<PackedModel> {
  if (data.engine === 'onnx') {
    const { OnnxResnet50 } = await import('./onnx/onnx-resnet50.js');
    const onnx = await OnnxResnet50.load(data.modelPath, { threads: data.threads });
    return (pixels, count) => onnx.packedFeatures(pixels, count);
  }
  const [{ selectBackend }, { Resnet50 }] = await Promise.all([import('./backend.js'), import('./resnet50.js')]);
  await selectBackend(data.backend);
  const tfjs = await Resnet50.load(data.modelUrl);
  return (pixels, count) => tfjs.features(Array.from({ length: count }, (_, i) => pixels.subarray(i * INPUT_LENGTH, (i + 1) * INPUT_LENGTH)));
}

port.on('message', async ({ id, pixels, count }: FeatureWorkerRequest) => {
  let reply: FeatureWorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const features = await model(pixels, count);
    reply = { type: 'result', id, features };
    transfer = features.map((vector) => vector.buffer as ArrayBuffer);
  } catch (error) {
    reply = { type: 'error', id, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ type: 'ready' } satisfies FeatureWorkerReply);
