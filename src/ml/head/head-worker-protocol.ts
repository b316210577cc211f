import type { BackendName } from '../backend.js';
import type { Embedded } from './categorical-head.js';
import type { Matrix } from './matrix.js';
import type { SerializedHead } from './serialized-head.js';
import type { EpochMetrics, HeadTrainingOptions, HeadTrainingResult } from './train-head.js';

/**
 * The backends a worker may load. Never the native one: its addon loads in
 * one thread per process, and loading it in a second thread breaks it in the
 * first (tensorflow/tfjs#2079, #3463, #8388). 'auto' here means wasm, else cpu.
 */
export type WorkerBackend = 'auto' | 'wasm' | 'cpu';

/** What a head worker is started with. */
export interface HeadWorkerData {
  backend: WorkerBackend;
}

interface PackedRows {
  x: Matrix;
  labels: Int32Array;
}

/** One job per worker, sent once it is ready; the matrices' buffers are transferred. */
export type HeadWorkerRequest =
  | {
      type: 'train';
      input: { train: PackedRows; validation: PackedRows; classes: number };
      options: Pick<HeadTrainingOptions, 'hyperparameters' | 'initialHead'>;
    }
  | { type: 'embed'; head: SerializedHead; x: Matrix; chunkRows?: number };

export type HeadWorkerReply =
  | { type: 'ready'; backend: BackendName }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'trained'; result: HeadTrainingResult }
  | { type: 'embedded'; result: Embedded }
  | { type: 'error'; message: string };
