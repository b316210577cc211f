import { z } from 'zod';
import { DomainError } from '../errors.js';
import { CLASS_WEIGHTS } from '../ml/head/head-hyperparameters.js';
import { EMBEDDING_NORMALIZATIONS } from './embedding-normalizer.js';

/**
 * The method's defaults: Adam 4e-4, 32 epochs, batch 64, dropout 0.7, 20% validation, balanced class weights,
 * no early stopping, the last epoch's weights kept.
 */
const schema = z.object({
  epochs: z.number().int().min(1).max(1000).default(32),
  batchSize: z.number().int().min(1).max(4096).default(64),
  learningRate: z.number().gt(0).max(1).default(0.0004),
  dropout: z.number().min(0).lt(1).default(0.7),
  hiddenUnits: z.number().int().min(1).max(8192).default(1024),
  validationSplit: z.number().gt(0).lt(1).default(0.2),
  classWeight: z.enum(CLASS_WEIGHTS).default('BALANCED'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** Null: every epoch is trained. */
  earlyStoppingPatience: z.number().int().min(1).max(1000).nullable().default(null),
  restoreBestWeights: z.boolean().default(false),
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
