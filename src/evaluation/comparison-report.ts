import type { Hyperparameters } from '../domain/hyperparameters.js';
import { BOOTSTRAP_DEFAULTS } from './bootstrap-interval.js';
import type { EvaluationResult } from './evaluation.service.js';
import { percent, percentWithInterval } from './report.js';

/** One way of training the head, evaluated on the same features and split as the others. */
export interface EvaluatedVariant {
  label: string;
  /** The folder, beside the comparison, that holds this variant's own report and pictures. */
  folder: string;
  result: EvaluationResult;
}

/** How a variant trains the head, in the product's words: what differs from the method. */
export function variantLabel(hyperparameters: Pick<Hyperparameters, 'earlyStoppingPatience' | 'restoreBestWeights' | 'embeddingNormalization'>): string {
  const { earlyStoppingPatience, restoreBestWeights, embeddingNormalization } = hyperparameters;
  const parts = [
    ...(restoreBestWeights ? ['restoreBestWeights'] : []),
    ...(earlyStoppingPatience !== null ? [`earlyStoppingPatience ${earlyStoppingPatience}`] : []),
    ...(embeddingNormalization !== 'STANDARDIZE' ? [`embeddingNormalization ${embeddingNormalization}`] : []),
  ];
  return parts.length === 0 ? 'the method as-is' : parts.join(', ');
}

/** A folder name for the variant: 'method', 'restore-best-weights', 'early-stopping-5', 'unit-length', or several joined. */
export function variantFolder(hyperparameters: Pick<Hyperparameters, 'earlyStoppingPatience' | 'restoreBestWeights' | 'embeddingNormalization'>): string {
  const { earlyStoppingPatience, restoreBestWeights, embeddingNormalization } = hyperparameters;
  const parts = [
    ...(restoreBestWeights ? ['restore-best-weights'] : []),
    ...(earlyStoppingPatience !== null ? [`early-stopping-${earlyStoppingPatience}`] : []),
    ...(embeddingNormalization === 'UNIT_LENGTH' ? ['unit-length'] : []),
  ];
  return parts.length === 0 ? 'method' : parts.join('-');
}

/**
 * The variants side by side: the same catalog, held-out queries and split,
 * only the head's training differs. Each variant's own report, with its
 * pictures, lies in its folder.
 */
export function comparisonMarkdown(variants: readonly EvaluatedVariant[]): string {
  const [first] = variants;
  if (!first) throw new RangeError('a comparison needs at least one variant');
  const { sizes, k } = first.result;
  const row = (name: string, cell: (result: EvaluationResult) => string) =>
    `| ${name} | ${variants.map((v) => cell(v.result)).join(' | ')} |`;
  const lines = [
    '# lookalike evaluation: ways of training and measuring the head, side by side',
    '',
    `Each column trained the head on the same ${sizes.train} products (${sizes.trainingSamples} to train, ${sizes.validationSamples} to validate, ` +
      `seed ${first.result.hyperparameters.seed}), from the same ResNet50 features imported once; ` +
      `catalog of ${sizes.catalog}, ${sizes.heldOut} held-out test images as queries, k = ${k}. ` +
      'Columns that differ only in embeddingNormalization measure one trained head in two embedding spaces.',
    '',
    `| | ${variants.map((v) => v.label).join(' | ')} |`,
    `| --- |${' --: |'.repeat(variants.length)}`,
    row(`mean precision@${k}, catalog items as queries (self excluded)`, (r) => percentWithInterval(r.precision.trained.catalog)),
    row(`mean precision@${k}, held-out test images as queries`, (r) => percentWithInterval(r.precision.trained.heldOut)),
    row('head accuracy, validation', (r) => percent(r.head.validationAccuracy)),
    row('head accuracy, held-out test images', (r) => percent(r.head.heldOutAccuracy)),
    row('validation loss', (r) => r.head.validationLoss.toFixed(4)),
    row('kept epoch', (r) => `${r.head.keptEpoch} of ${r.epochs.length}${r.head.stoppedEarly ? ' (stopped early)' : ''}`),
    row('training seconds', (r) => (r.seconds.train ?? NaN).toFixed(1)),
    '',
    `In parentheses, a ${100 * BOOTSTRAP_DEFAULTS.confidence}% interval: the percentile bootstrap over the queries, ` +
      `${BOOTSTRAP_DEFAULTS.resamples.toLocaleString('en-US')} resamples, each column on its own. ` +
      `The raw ResNet50 features, the same for every column: catalog ${percentWithInterval(first.result.precision.raw.catalog)}, ` +
      `held-out ${percentWithInterval(first.result.precision.raw.heldOut)}.`,
    '',
    ...variants.flatMap((v) => [
      `## ${v.label}`,
      '',
      `[Its report](${v.folder}/report.md).`,
      '',
      `![learning curves, ${v.label}](${v.folder}/learning-curves.png)`,
      '',
      `![recommendations in the trained space, ${v.label}](${v.folder}/recommendations-trained.png)`,
      '',
    ]),
  ];
  return lines.join('\n');
}
