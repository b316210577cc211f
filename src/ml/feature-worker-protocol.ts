import type { BackendName } from './backend.js';

/** What a feature worker is started with. */
export interface FeatureWorkerData {
  backend: BackendName;
  modelUrl: string;
}

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
