import type { TrainingStatus } from '../db/schema.js';
import type { EpochMetrics } from '../ml/head/train-head.js';
import type { Hyperparameters } from './hyperparameters.js';

export type { EpochMetrics, TrainingStatus };

export interface TrainingMetrics {
  valLoss: number;
  valAccuracy: number;
  trainingSeconds: number;
  embeddingSeconds: number;
  /** Catalog products embedded into the new model version. */
  embeddedProducts: number;
}

export interface TrainingRun {
  id: number;
  status: TrainingStatus;
  hyperparameters: Hyperparameters;
  /** Category names in label order (sorted), known once the run starts. */
  classes: string[] | null;
  trainingSamples: number | null;
  validationSamples: number | null;
  epochs: EpochMetrics[];
  metrics: TrainingMetrics | null;
  error: string | null;
  modelVersionId: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}
