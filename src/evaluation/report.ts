import { BOOTSTRAP_DEFAULTS, type MeanEstimate } from './bootstrap-interval.js';
import type { EvaluationResult, QueryResult } from './evaluation.service.js';

/** A share as a percentage with one decimal: 0.7312 -> 73.1%; no queries (NaN) give 'n/a'. */
export const percent = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** 0.788 within [0.771, 0.804] -> '78.8% (77.1–80.4)'. */
export const percentWithInterval = ({ mean, low, high }: MeanEstimate) =>
  Number.isNaN(mean) ? 'n/a' : `${percent(mean)} (${(100 * low).toFixed(1)}–${(100 * high).toFixed(1)})`;

/**
 * A warning, naming each measure on which the trained space does not beat the
 * raw features, so that a small run is not read as the method's result. A tie
 * is no win.
 */
export function cautions({ precision, sizes }: EvaluationResult): string[] {
  const measures = [
    { name: 'catalog items as queries', raw: precision.raw.catalog.mean, trained: precision.trained.catalog.mean },
    { name: 'held-out queries', raw: precision.raw.heldOut.mean, trained: precision.trained.heldOut.mean },
  ];
  const lost = measures.filter((m) => m.trained <= m.raw);
  if (lost.length === 0) return [];
  const figures = lost.map((m) => `${m.name}: ${percent(m.trained)} trained vs ${percent(m.raw)} raw`).join('; ');
  return [
    `On this run the trained space does not beat the raw ResNet50 features (${figures}). ` +
      `At this size (${sizes.train} training images) the head has likely seen too few examples to improve on the features it starts from; ` +
      `read these figures as this run's, not the method's.`,
  ];
}

/** The evaluation as Markdown: the method's printout first, then the metrics, the pictures and the timings. */
const SPACE_NAMES = { STANDARDIZE: 'standardized', UNIT_LENGTH: 'unit length' } as const;

export function evaluationMarkdown(result: EvaluationResult, pictures: { curves: string; grid: string; rawGrid: string }): string {
  const { sizes, precision, head, showcase } = result;
  const showcasePlace = result.showcaseIsHeldOut
    ? 'It is one of the held-out queries.'
    : `It is not one of the ${sizes.heldOut} held-out queries, so their metrics leave it out.`;
  const lines = [
    '# lookalike evaluation',
    '',
    `Head trained on ${sizes.train} products (${sizes.trainingSamples} to train, ${sizes.validationSamples} to validate), ` +
      `catalog of ${sizes.catalog}, ${sizes.heldOut} held-out test images as queries, k = ${result.k}.`,
    '',
    `## Query ${showcase.sku}`,
    '',
    `True class: **${showcase.category}**, predicted: **${showcase.predictedCategory}**. ${showcasePlace}`,
    '',
    ...recommendationsTable(showcase, result.k),
    '',
    '## Metrics',
    '',
    `| | raw ResNet50 features (2048-d) | trained head (512-d, ${SPACE_NAMES[result.hyperparameters.embeddingNormalization]}) |`,
    '| --- | --: | --: |',
    `| mean precision@${result.k}, catalog items as queries (self excluded) | ${percentWithInterval(precision.raw.catalog)} | ${percentWithInterval(precision.trained.catalog)} |`,
    `| mean precision@${result.k}, held-out test images as queries | ${percentWithInterval(precision.raw.heldOut)} | ${percentWithInterval(precision.trained.heldOut)} |`,
    '',
    `In parentheses, a ${100 * BOOTSTRAP_DEFAULTS.confidence}% interval: the percentile bootstrap over the queries, ` +
      `${BOOTSTRAP_DEFAULTS.resamples.toLocaleString('en-US')} resamples.`,
    '',
    ...cautions(result).flatMap((caution) => [`> **Caution.** ${caution}`, '']),
    `Head accuracy: validation ${percent(head.validationAccuracy)} (loss ${head.validationLoss.toFixed(4)}), ` +
      `held-out test images ${percent(head.heldOutAccuracy)}. ${keptEpochSentence(result)}`,
    '',
    '## Learning curves',
    '',
    `![learning curves](${pictures.curves})`,
    '',
    '## Recommendations',
    '',
    `In the trained space:`,
    '',
    `![query images and their recommendations, trained space](${pictures.grid})`,
    '',
    `With the raw ResNet50 features (queries captioned with their true class only: the head plays no part here):`,
    '',
    `![query images and their recommendations, raw features](${pictures.rawGrid})`,
    '',
    '## Timings',
    '',
    '| stage | seconds |',
    '| --- | --: |',
    ...Object.entries(result.seconds).map(([stage, seconds]) => `| ${stage} | ${seconds.toFixed(1)} |`),
    '',
    '## Hyperparameters',
    '',
    '```json',
    JSON.stringify(result.hyperparameters, null, 2),
    '```',
    '',
  ];
  return lines.join('\n');
}

/** Which epoch's weights the figures are of, and why training ended there. */
export function keptEpochSentence({ head, epochs }: Pick<EvaluationResult, 'head' | 'epochs'>): string {
  const stop = head.stoppedEarly ? ', stopped early by earlyStoppingPatience' : '';
  return `Kept epoch ${head.keptEpoch} of ${epochs.length} trained${stop}.`;
}

function recommendationsTable(query: QueryResult, k: number): string[] {
  return [
    `| rank | trained space | distance | raw features | distance |`,
    '| --: | --- | --: | --- | --: |',
    ...Array.from({ length: k }, (_, i) => {
      const t = query.trained[i];
      const r = query.raw[i];
      return `| ${i + 1} | ${t ? `${t.category} (${t.sku})` : ''} | ${t?.distance.toFixed(3) ?? ''} | ${r ? `${r.category} (${r.sku})` : ''} | ${r?.distance.toFixed(3) ?? ''} |`;
    }),
  ];
}
