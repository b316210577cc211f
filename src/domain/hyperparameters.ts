import { z } from 'zod';
import { DomainError } from '../errors.js';
import { headHyperparameterSchema } from '../ml/head/head-hyperparameters.js';
import { EMBEDDING_NORMALIZATIONS } from './embedding-normalizer.js';

/**
 * The method's defaults: Adam 4e-4, 32 epochs, batch 64, dropout 0.7, 20% validation, balanced class weights,
 * no early stopping, the last epoch's weights kept.
 */
const head = headHyperparameterSchema.shape;
/** The head's own fields and limits, in the order a training run lists them, and the two that belong to a run. */
const schema = z.object({
  epochs: head.epochs,
  batchSize: head.batchSize,
  learningRate: head.learningRate,
  dropout: head.dropout,
  hiddenUnits: head.hiddenUnits,
  validationSplit: z.number().gt(0).lt(1).default(0.2),
  classWeight: head.classWeight,
  seed: head.seed,
  /** Null: every epoch is trained. */
  earlyStoppingPatience: head.earlyStoppingPatience,
  restoreBestWeights: head.restoreBestWeights,
  /** Not a training setting: how the run's model version turns mid-layer outputs into embeddings. */
  embeddingNormalization: z.enum(EMBEDDING_NORMALIZATIONS).default('STANDARDIZE'),
});

export type Hyperparameters = z.infer<typeof schema>;
export type HyperparameterOverrides = { [K in keyof Hyperparameters]?: Hyperparameters[K] | null | undefined };

/** The mid layer's width is the embedding column's: vector(512). */
export const EMBEDDING_DIMENSIONS = 512;

export function resolveHyperparameters(overrides: HyperparameterOverrides = {}): Hyperparameters {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== null && value !== undefined));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new DomainError('BAD_USER_INPUT', `invalid hyperparameters: ${problems.join('; ')}`);
  }
  return parsed.data;
}
