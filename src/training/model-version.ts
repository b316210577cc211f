/** Mean and scale of a standardization: (x - mean) / scale. */
export interface Scaler {
  mean: Float32Array;
  scale: Float32Array;
}

/** A trained head as stored: its weights in one buffer, and how to cut them into tensors. */
export interface StoredHead {
  weights: Uint8Array;
  layout: unknown;
}

export interface ModelVersion {
  id: number;
  trainingRunId: number;
  /** Category names; a predicted class index is a position in this list. */
  classes: string[];
  head: StoredHead;
  featureScaler: Scaler;
  embeddingScaler: Scaler;
  active: boolean;
  createdAt: Date;
  activatedAt: Date | null;
}

export type NewModelVersion = Pick<ModelVersion, 'trainingRunId' | 'classes' | 'head' | 'featureScaler' | 'embeddingScaler'>;
