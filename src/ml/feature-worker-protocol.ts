import type { BackendName } from './backend.js';

/** What a feature worker is started with: the engine (TensorFlow.js when absent), and the model in that engine's format. */
export type FeatureWorkerData =
  | { engine?: 'tfjs'; backend: BackendName; modelUrl: string }
  | { engine: 'onnx'; modelPath: string; threads: number };

/** One batch: `count` images of 224x224x3 bytes back to back in one transferable buffer. */
export interface FeatureWorkerRequest {
  id: number;
  pixels: Uint8Array;
  count: number;
}

export type FeatureWorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; features: Float32Array[] }
  | { type: 'error'; id: number; message: string };
