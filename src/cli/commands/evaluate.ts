import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { CatalogService } from '../../catalog/catalog.service.js';
import { FASHION_MNIST_DIR, openIdxDataset } from '../../datasets/idx-dataset.js';
import type { EvaluationResult } from '../../evaluation/evaluation.service.js';
import { recommendationRows } from '../../evaluation/recommendation-rows.js';
import { comparisonMarkdown, variantFolder, variantLabel, type EvaluatedVariant } from '../../evaluation/comparison-report.js';
import { cautions, evaluationMarkdown, keptEpochSentence, percent, percentWithInterval } from '../../evaluation/report.js';
import { learningCurvesPng } from '../../reports/learning-curves.js';
import { neighbourGridPng } from '../../reports/neighbour-grid.js';
import { resolveHyperparameters, type Hyperparameters } from '../../domain/hyperparameters.js';
import { idxItems, idxSku } from '../import-sources.js';
import { runWithServices } from '../run-with-services.js';
import { CATEGORY_NAMES, importWithProgress, positiveInteger, wholeNumber } from './import.js';
import { hyperparameterOptions, hyperparametersFrom } from './train.js';

export function evaluateCommand(): Command {
  return hyperparameterOptions(
    new Command('evaluate')
      .description(
        "the method's experiment: train the head on the first training images, use the first test images as the catalog, " +
          'query a held-out test item; writes a Markdown and JSON report with pictures',
      )
      .option('--dir <dir>', 'folder with the IDX files', FASHION_MNIST_DIR)
      .addOption(new Option('--categories <names>', 'category names for the labels').choices(Object.keys(CATEGORY_NAMES)).default('fashion'))
      .option('--name <name>', 'dataset name, the first part of each sku', 'fashion-mnist')
      .option('--train-size <n>', 'training images the head learns from', positiveInteger, 15000)
      .option('--catalog-size <n>', 'test images in the catalog', positiveInteger, 5000)
      .option('--held-out <n>', 'test images after the catalog, used as queries', wholeNumber, 1000)
      .option('--query <n>', 'the test item shown as the example query; in the held-out metrics only if it is one of them', wholeNumber, 5033)
      .option('--k <n>', 'recommendations per query', positiveInteger, 6)
      .option('--examples <n>', 'held-out queries in the picture besides --query', wholeNumber, 7)
      .option('--import-batch-size <n>', 'images per import batch', positiveInteger, 64)
      .option('--out <dir>', 'where the report goes', 'reports/fashion-mnist')
      .option(
        '--compare-restore-best-weights',
        'also train the head with --restore-best-weights on the same features and split, and write both reports side by side',
      )
      .option(
        '--compare-early-stopping-patience <n>',
        'also train the head with this --early-stopping-patience (with --compare-restore-best-weights: both at once), and write both reports side by side',
        Number,
      )
      .addOption(
        new Option(
          '--compare-embedding-normalization <kind>',
          'also measure in this embedding space (with the other --compare options: on their head), and write both reports side by side; alone, it needs no second training',
        ).choices(['standardize', 'unit-length']),
      ),
  ).action(async (options) => {
    const hyperparameters = resolveHyperparameters(hyperparametersFrom(options));
    const comparedSpace = hyperparametersFrom({ embeddingNormalization: options.compareEmbeddingNormalization }).embeddingNormalization;
    const comparing =
      options.compareRestoreBestWeights === true || options.compareEarlyStoppingPatience !== undefined || comparedSpace !== undefined;
    const variants = [
      hyperparameters,
      ...(comparing
        ? [
            resolveHyperparameters({
              ...hyperparametersFrom(options),
              restoreBestWeights: options.compareRestoreBestWeights === true || hyperparameters.restoreBestWeights,
              earlyStoppingPatience: options.compareEarlyStoppingPatience ?? hyperparameters.earlyStoppingPatience,
              embeddingNormalization: comparedSpace ?? hyperparameters.embeddingNormalization,
            }),
          ]
        : []),
    ];
    if (comparing && variantFolder(variants[0]!) === variantFolder(variants[1]!)) {
      throw new Error('the compared variant trains the head as the first one does; compare against different options');
    }
    // Variants that differ only in the embedding space share one trained head.
    const trainings = sameTraining(variants[0]!, variants.at(-1)!) ? [variants] : variants.map((variant) => [variant]);
    const train = await openIdxDataset(options.dir, 'train');
    const test = await openIdxDataset(options.dir, 'test');
    if (options.query < options.catalogSize) throw new Error(`--query ${options.query} is in the catalog; pick an item from ${options.catalogSize} on`);
    const categories = CATEGORY_NAMES[options.categories as keyof typeof CATEGORY_NAMES];
    const slice = (dataset: typeof train, split: 'train' | 'test', from: number, count: number) =>
      idxItems(dataset, { name: options.name, split, from, count, categories });
    const items = {
      train: slice(train, 'train', 0, options.trainSize),
      catalog: slice(test, 'test', 0, options.catalogSize),
      heldOut: slice(test, 'test', options.catalogSize, options.heldOut),
      showcase: slice(test, 'test', options.query, 1),
    };

    await runWithServices(async (services, signal) => {
      const { catalog } = services;
      // Loaded with the services, as runWithServices loads them: help stays quick.
      const { evaluationService } = await import('../../services.js');
      const evaluation = evaluationService(services, (line) => console.error(line));
      const all = [...items.train, ...items.catalog, ...items.heldOut, ...items.showcase.filter((s) => !items.heldOut.some((h) => h.sku === s.sku))];
      const importStarted = performance.now();
      await importWithProgress(catalog, all, options.importBatchSize, signal);

      const importSeconds = (performance.now() - importStarted) / 1000;
      const sets = {
        train: items.train.map((i) => i.sku),
        catalog: items.catalog.map((i) => i.sku),
        heldOut: items.heldOut.map((i) => i.sku),
        showcase: idxSku(options.name, 'test', options.query),
      };
      const evaluated: EvaluatedVariant[] = [];
      for (const training of trainings) {
        if (comparing) console.log(`training the head: ${training.map(variantLabel).join('; measured as: ')}`);
        const spaces = training.map((variant) => variant.embeddingNormalization);
        const results = await evaluation.evaluate(sets, training[0]!, { k: options.k, examples: options.examples, signal, spaces });
        for (const result of results) {
          // The features were imported once, for every variant.
          const withImport = { ...result, seconds: { import: importSeconds, ...result.seconds } };
          printShowcase(withImport);
          evaluated.push({ label: variantLabel(result.hyperparameters), folder: variantFolder(result.hyperparameters), result: withImport });
        }
      }
      if (!comparing) return writeReport(options.out, evaluated[0]!.result, catalog);
      for (const { folder, result } of evaluated) await writeReport(join(options.out, folder), result, catalog);
      await writeFile(join(options.out, 'report.json'), JSON.stringify({ variants: evaluated }, null, 2));
      await writeFile(join(options.out, 'report.md'), comparisonMarkdown(evaluated));
      console.log(`comparison written to ${join(options.out, 'report.md')}`);
    });
  });
}

function sameTraining(a: Hyperparameters, b: Hyperparameters): boolean {
  return JSON.stringify({ ...a, embeddingNormalization: null }) === JSON.stringify({ ...b, embeddingNormalization: null });
}

function printShowcase(result: EvaluationResult): void {
  const { showcase, precision, head, k, sizes } = result;
  console.log(`query ${showcase.sku}: true class ${showcase.category}, predicted ${showcase.predictedCategory}`);
  showcase.trained.forEach((r, i) => console.log(`  ${i + 1}. ${r.category.padEnd(12)} ${r.sku}  distance ${r.distance.toFixed(3)}`));
  console.log(
    `precision@${k} (95% bootstrap interval): catalog ${percentWithInterval(precision.raw.catalog)} raw -> ${percentWithInterval(precision.trained.catalog)} trained; ` +
      `${sizes.heldOut} held-out queries ${percentWithInterval(precision.raw.heldOut)} raw -> ${percentWithInterval(precision.trained.heldOut)} trained; ` +
      `head accuracy: validation ${percent(head.validationAccuracy)}, held-out ${percent(head.heldOutAccuracy)}. ${keptEpochSentence(result)}`,
  );
  for (const caution of cautions(result)) console.log(`caution: ${caution}`);
}


async function writeReport(out: string, result: EvaluationResult, catalog: CatalogService): Promise<void> {
  await mkdir(out, { recursive: true });
  const queries = [result.showcase, ...result.examples];
  const skus = queries.flatMap((q) => [q.sku, ...q.trained.map((r) => r.sku), ...q.raw.map((r) => r.sku)]);
  const products = await catalog.findBySkus([...new Set(skus)]);
  const thumbnails = new Map(await Promise.all(products.map(async (p) => [p.sku, (await catalog.getThumbnail(p.id))!] as const)));
  const pictures = { curves: 'learning-curves.png', grid: 'recommendations-trained.png', rawGrid: 'recommendations-raw.png' };
  await writeFile(join(out, pictures.curves), await learningCurvesPng(result.epochs, { title: 'Categorical head' }));
  await writeFile(join(out, pictures.grid), await neighbourGridPng(recommendationRows(queries, 'trained', thumbnails), { title: 'Trained 512-d space' }));
  await writeFile(join(out, pictures.rawGrid), await neighbourGridPng(recommendationRows(queries, 'raw', thumbnails), { title: 'Raw ResNet50 features' }));
  await writeFile(join(out, 'report.json'), JSON.stringify(result, null, 2));
  await writeFile(join(out, 'report.md'), evaluationMarkdown(result, pictures));
  console.log(`report written to ${join(out, 'report.md')}`);
}
