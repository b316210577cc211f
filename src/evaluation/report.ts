import type { EvaluationResult, QueryResult } from './evaluation.service.js';

/** A share as a percentage with one decimal: 0.7312 -> 73.1%. */
export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The evaluation as Markdown: the method's printout first, then the metrics, the pictures and the timings. */
export function evaluationMarkdown(result: EvaluationResult, pictures: { curves: string; grid: string; rawGrid: string }): string {
  const { sizes, precision, head, showcase } = result;
  const lines = [
    '# lookalike evaluation',
    '',
    `Head trained on ${sizes.train} products (${sizes.trainingSamples} to train, ${sizes.validationSamples} to validate), ` +
      `catalog of ${sizes.catalog}, ${sizes.heldOut} held-out test images as queries, k = ${result.k}.`,
    '',
    `## Query ${showcase.sku}`,
    '',
    `True class: **${showcase.category}**, predicted: **${showcase.predictedCategory}**.`,
    '',
    ...recommendationsTable(showcase, result.k),
    '',
    '## Metrics',
    '',
    '| | raw ResNet50 features (2048-d) | trained head (512-d, standardized) |',
    '| --- | --: | --: |',
    `| mean precision@${result.k}, catalog items as queries (self excluded) | ${percent(precision.raw.catalogPrecision)} | ${percent(precision.trained.catalogPrecision)} |`,
    `| mean precision@${result.k}, held-out test images as queries | ${percent(precision.raw.heldOutPrecision)} | ${percent(precision.trained.heldOutPrecision)} |`,
    '',
    `Head accuracy: validation ${percent(head.validationAccuracy)} (loss ${head.validationLoss.toFixed(4)}), ` +
      `held-out test images ${percent(head.heldOutAccuracy)}.`,
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
    `With the raw ResNet50 features:`,
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
