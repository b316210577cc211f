import { Command, InvalidArgumentError, Option } from 'commander';
import { importProducts, type ImportItem, type ImportProgress } from '../../catalog/catalog-import.js';
import type { CatalogService } from '../../catalog/catalog.service.js';
import { DIGIT_CATEGORIES, FASHION_MNIST_CATEGORIES, FASHION_MNIST_DIR, openIdxDataset } from '../../datasets/idx-dataset.js';
import { folderItems, idxItems } from '../import-sources.js';
import { progressBar, tracker } from '../progress.js';
import { runWithServices } from '../run-with-services.js';

export const CATEGORY_NAMES = { fashion: FASHION_MNIST_CATEGORIES, digits: DIGIT_CATEGORIES, labels: undefined } as const;

export function wholeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number');
  return parsed;
}

export function positiveInteger(value: string): number {
  const parsed = wholeNumber(value);
  if (parsed < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return parsed;
}

function batchSizeOption() {
  return new Option('--batch-size <n>', 'products per batch (1-256)').default(64).argParser(positiveInteger);
}

export function importCommand(): Command {
  const command = new Command('import').description(
    'add products in batches through ResNet50; a rerun skips the skus already there, so an interrupted import continues',
  );
  command
    .command('idx')
    .description('import an IDX dataset (Fashion-MNIST by default), gzipped or raw')
    .option('--dir <dir>', 'folder with the IDX files', FASHION_MNIST_DIR)
    .addOption(new Option('--split <split>', 'train-* or t10k-* files').choices(['train', 'test']).default('train'))
    .option('--from <n>', 'first item', wholeNumber, 0)
    .option('--count <n>', 'number of items', wholeNumber, Number.MAX_SAFE_INTEGER)
    .addOption(
      new Option('--categories <names>', 'category names for the labels').choices(Object.keys(CATEGORY_NAMES)).default('fashion'),
    )
    .option('--name <name>', 'dataset name, the first part of each sku', 'fashion-mnist')
    .addOption(batchSizeOption())
    .action(async (options) => {
      const dataset = await openIdxDataset(options.dir, options.split);
      const items = idxItems(dataset, {
        name: options.name,
        split: options.split,
        from: options.from,
        count: options.count,
        categories: CATEGORY_NAMES[options.categories as keyof typeof CATEGORY_NAMES],
      });
      await runImport(items, options.batchSize);
    });
  command
    .command('folder <dir>')
    .description('import images laid out as DIR/<category>/<file> (jpg, png, webp)')
    .addOption(batchSizeOption())
    .action(async (dir: string, options) => runImport(await folderItems(dir), options.batchSize));
  return command;
}

export async function runImport(items: ImportItem[], batchSize: number): Promise<void> {
  await runWithServices(async ({ catalog }, signal) => {
    const result = await importWithProgress(catalog, items, batchSize, signal);
    console.log(`imported ${result.added}, skipped ${result.skipped} already in the catalog`);
  });
}

/** importProducts behind a progress bar with rate and ETA. */
export async function importWithProgress(
  catalog: CatalogService,
  items: ImportItem[],
  batchSize: number,
  signal: AbortSignal,
): Promise<ImportProgress> {
  const bar = progressBar('import', 'images');
  const update = tracker(bar, items.length);
  try {
    return await importProducts(catalog, items, { batchSize, signal, onProgress: (p) => update(p.done) });
  } finally {
    bar.stop();
  }
}
