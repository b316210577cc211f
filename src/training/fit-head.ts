import type { ProductFeatures } from '../domain/product.js';
import { StandardScaler } from '../ml/head/standard-scaler.js';
import type { ExcludedCategory } from '../domain/training-run.js';
import { splitDataset, type Dataset } from './dataset.js';
import type { Head, HeadEngine } from './head-engine.js';
import type { Hyperparameters } from '../domain/hyperparameters.js';
import type { EpochMetrics } from '../domain/training-run.js';

export interface FittedHead {
  /** Category names in label order. */
  classes: string[];
  /** Categories left out for having too few products. */
  excluded: ExcludedCategory[];
  head: Head;
  /** Fitted on the training part of the split only, as the method does. */
  featureScaler: StandardScaler;
  trainingSamples: number;
  validationSamples: number;
  /** Every epoch trained, including those after the kept one. */
  epochs: EpochMetrics[];
  /** The epoch whose weights the head holds, and its metrics. */
  kept: EpochMetrics;
  stoppedEarly: boolean;
}

export interface FitHooks {
  /** Once the split is known, before the first epoch. */
  onSplit?(split: { classes: string[]; excluded: ExcludedCategory[]; trainingSamples: number; validationSamples: number }): Promise<void>;
  onEpoch?(metrics: EpochMetrics): Promise<void>;
  signal: AbortSignal;
}

/**
 * The method's training: split (categories with fewer than
 * `minCategoryProducts` products left out), standardize with the training
 * part's scaler, train the head.
 */
export async function fitHead(
  engine: HeadEngine,
  products: readonly ProductFeatures[],
  hyperparameters: Hyperparameters,
  minCategoryProducts: number,
  hooks: FitHooks,
): Promise<FittedHead> {
  const dataset = splitDataset(products, hyperparameters.validationSplit, hyperparameters.seed, minCategoryProducts);
  const featureScaler = StandardScaler.fit(dataset.train.features);
  const split = {
    classes: dataset.classes,
    excluded: dataset.excluded,
    trainingSamples: dataset.train.labels.length,
    validationSamples: dataset.validation.labels.length,
  };
  await hooks.onSplit?.(split);
  const epochs: EpochMetrics[] = [];
  const { head, keptEpoch, stoppedEarly } = await engine.train({
    dataset: standardizeDataset(dataset, featureScaler),
    hyperparameters,
    signal: hooks.signal,
    onEpoch: async (metrics) => {
      epochs.push(metrics);
      await hooks.onEpoch?.(metrics);
    },
  });
  return { ...split, head, featureScaler, epochs, kept: epochs[keptEpoch - 1]!, stoppedEarly };
}

/** One line once training ends early or keeps an earlier epoch than the last. */
export function describeKept({ kept, epochs, stoppedEarly }: Pick<FittedHead, 'kept' | 'epochs' | 'stoppedEarly'>): string | undefined {
  if (!stoppedEarly && kept.epoch === epochs.length) return undefined;
  const stop = stoppedEarly ? `stopped early after epoch ${epochs.length}; ` : '';
  return `${stop}kept epoch ${kept.epoch} (val_loss ${kept.valLoss.toFixed(4)} val_acc ${kept.valAccuracy.toFixed(4)})`;
}

/** One line per epoch, as Keras prints it. */
export function describeEpoch(metrics: EpochMetrics, epochs: number): string {
  return (
    `epoch ${metrics.epoch}/${epochs} loss ${metrics.loss.toFixed(4)} acc ${metrics.accuracy.toFixed(4)} ` +
    `val_loss ${metrics.valLoss.toFixed(4)} val_acc ${metrics.valAccuracy.toFixed(4)} (${metrics.seconds.toFixed(1)} s)`
  );
}

function standardizeDataset(dataset: Dataset, scaler: StandardScaler): Dataset {
  const scale = (features: Float32Array[]) => scaler.transformRows(features);
  return {
    classes: dataset.classes,
    excluded: dataset.excluded,
    train: { features: scale(dataset.train.features), labels: dataset.train.labels },
    validation: { features: scale(dataset.validation.features), labels: dataset.validation.labels },
  };
}
