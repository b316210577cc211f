import type { ScalerParameters } from '../ml/head/standard-scaler.js';
import type { EmbeddingNormalization } from './embedding-normalizer.js';

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
  featureScaler: ScalerParameters;
  /** An identity scaler when embeddingNormalization is UNIT_LENGTH. */
  embeddingScaler: ScalerParameters;
  embeddingNormalization: EmbeddingNormalization;
  active: boolean;
  createdAt: Date;
  activatedAt: Date | null;
}

export type NewModelVersion = Pick<ModelVersion, 'trainingRunId' | 'classes' | 'head' | 'featureScaler' | 'embeddingScaler' | 'embeddingNormalization'>;

/** A kept model version as listed: what made it and what it holds, without its weights. */
export interface ModelVersionSummary {
  id: number;
  trainingRunId: number;
  classes: string[];
  active: boolean;
  createdAt: Date;
  activatedAt: Date | null;
  /** Catalog products with an embedding under this version. */
  embeddedProducts: number;
}
