import type { EpochMetrics } from '../ml/head/train-head.js';
import type { Hyperparameters } from './hyperparameters.js';

export type { EpochMetrics };

/** A category left out of a run for having fewer products than the minimum. */
export interface ExcludedCategory {
  category: string;
  products: number;
}

export type TrainingStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TrainingMetrics {
  /** The kept epoch's. */
  valLoss: number;
  valAccuracy: number;
  /** The epoch whose weights the version holds (1-based). */
  keptEpoch: number;
  /** Whether earlyStoppingPatience ended training before the planned epochs. */
  stoppedEarly: boolean;
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
  /** Categories left out for having too few products, known once the run starts. */
  excludedCategories: ExcludedCategory[] | null;
  trainingSamples: number | null;
  validationSamples: number | null;
  epochs: EpochMetrics[];
  metrics: TrainingMetrics | null;
  error: string | null;
  /** Null until the run succeeds, and again once its version is pruned. */
  modelVersionId: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}
