import type { Hyperparameters } from '../domain/hyperparameters.js';
import type { Dataset } from './dataset.js';
import type { StoredHead } from '../domain/model-version.js';
import type { EpochMetrics } from '../domain/training-run.js';

/** A trained categorical head, ready to embed standardized ResNet50 features. */
export interface Head {
  readonly stored: StoredHead;
  /** The raw (not yet standardized) 512-d mid layer and the predicted class index of each row. */
  embed(features: readonly Float32Array[]): Promise<{ embeddings: Float32Array[]; predicted: number[] }>;
  dispose(): void;
}

export interface TrainRequest {
  /** Features already standardized with the training set's scaler. */
  dataset: Dataset;
  hyperparameters: Hyperparameters;
  onEpoch(metrics: EpochMetrics): Promise<void>;
  signal: AbortSignal;
}

export interface TrainedHead {
  head: Head;
  /** The epoch whose weights the head holds (1-based). */
  keptEpoch: number;
  /** Whether early stopping ended training before the planned epochs. */
  stoppedEarly: boolean;
}

/** Where the head's tensors run: the training service only knows this interface. */
export interface HeadEngine {
  train(request: TrainRequest): Promise<TrainedHead>;
  load(stored: StoredHead): Promise<Head>;
}
