import type { MeanEstimate } from '../../src/evaluation/bootstrap-interval.js';
import type { EvaluationResult, QueryResult } from '../../src/evaluation/evaluation.service.js';
import { resolveHyperparameters } from '../../src/domain/hyperparameters.js';

export const estimate = (mean: number, halfWidth = 0.02): MeanEstimate => ({ mean, low: mean - halfWidth, high: mean + halfWidth });

export function queryResult(sku: string, category: string, predictedCategory: string): QueryResult {
  const recommend = (categories: string[]) => categories.map((c, i) => ({ sku: `${sku}-${c}-${i}`, category: c, distance: 1 + i / 10 }));
  return {
    sku,
    category,
    predictedCategory,
    trained: recommend([category, category, 'Sneaker']),
    raw: recommend(['Sneaker', category, category]),
  };
}

/** A small run's result: 2,000 training images, a catalog of 1,000, 500 held-out queries, the showcase apart. */
export function evaluationResult(precision: { raw: [number, number]; trained: [number, number] }): EvaluationResult {
  return {
    k: 6,
    sizes: { train: 2000, trainingSamples: 1600, validationSamples: 400, catalog: 1000, heldOut: 500 },
    classes: ['Ankle boot', 'Sneaker'],
    hyperparameters: resolveHyperparameters(),
    epochs: [{ epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85, seconds: 2 }],
    head: { validationAccuracy: 0.875, validationLoss: 0.4, heldOutAccuracy: 0.84, keptEpoch: 1, stoppedEarly: false },
    precision: {
      raw: { catalog: estimate(precision.raw[0]), heldOut: estimate(precision.raw[1]) },
      trained: { catalog: estimate(precision.trained[0]), heldOut: estimate(precision.trained[1]) },
    },
    showcase: queryResult('fashion-mnist/test/05033', 'Ankle boot', 'Sneaker'),
    showcaseIsHeldOut: false,
    examples: [queryResult('fashion-mnist/test/01000', 'Sneaker', 'Sneaker')],
    seconds: { train: 60 },
  };
}
