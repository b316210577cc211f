import { z } from 'zod';

/** The schema's ClassWeight: BALANCED weighs each class inversely to its count, as Keras/sklearn "balanced". */
const CLASS_WEIGHTS = ['BALANCED', 'NONE'] as const;

/**
 * The head's settings, with the limits a caller of the API may set them to
 * (domain/hyperparameters.ts takes its fields from here).
 */
export const headHyperparameterSchema = z.object({
  hiddenUnits: z.number().int().min(1).max(8192).default(1024),
  /** Width of `dense_mid`, the embedding. */
  midUnits: z.number().int().min(1).default(512),
  dropout: z.number().min(0).lt(1).default(0.7),
  epochs: z.number().int().min(1).max(1000).default(32),
  /**
   * Stops once this many epochs in a row have not lowered the validation loss,
   * as Keras's EarlyStopping(monitor='val_loss'); null trains every epoch, as the method does.
   */
  earlyStoppingPatience: z.number().int().min(1).max(1000).nullable().default(null),
  /** Ends on the weights of the epoch with the lowest validation loss (the first of equals) instead of the last epoch's. */
  restoreBestWeights: z.boolean().default(false),
  batchSize: z.number().int().min(1).max(4096).default(64),
  learningRate: z.number().gt(0).max(1).default(0.0004),
  // Keras's Adam defaults (its epsilon is 1e-7, TensorFlow.js's 1e-8).
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().gt(0).default(1e-7),
  classWeight: z.enum(CLASS_WEIGHTS).default('BALANCED'),
  shuffle: z.boolean().default(true),
  /** Seeds the initial weights, the batch order and the dropout masks; at most GraphQL's Int. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
});

/** Everything that shapes a training run of the head; the defaults are the method's. */
export type HeadHyperparameters = z.infer<typeof headHyperparameterSchema>;

export function resolveHeadHyperparameters(overrides: Partial<HeadHyperparameters> = {}): HeadHyperparameters {
  const parsed = headHyperparameterSchema.safeParse(overrides);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new RangeError(`invalid head hyperparameters: ${problems.join('; ')}`);
  }
  return parsed.data;
}
