import { Command, InvalidArgumentError, Option } from 'commander';
import { importProducts, type ImportItem, type ImportProgress, type ImportTarget } from '../../catalog/catalog-import.js';
import { loadConfig } from '../../config.js';
import { DIGIT_CATEGORIES, FASHION_MNIST_CATEGORIES, FASHION_MNIST_DIR, openIdxDataset } from '../../datasets/idx-dataset.js';
import { folderItems, idxItems } from '../import-sources.js';
import { importFeedCommand } from './import-feed.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printAbove, progressBar, tracker } from '../progress.js';
import { RemoteCatalog, type Retry } from '../remote-catalog.js';
import { InterruptedError, runInterruptible, runWithServices } from '../run-with-services.js';

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

/** How an import reaches the catalog: the database itself, or running services (--url). */
interface ImportOptions {
  batchSize: number | undefined;
  url: string[];
  token: string | undefined;
  concurrency: number | undefined;
  tries: number;
}

/** What a folder's layout left out, counted in the summary and, with --verbose, named. */
interface Ignored {
  files: string[];
  verbose: boolean;
}

export function importOptions(command: Command): Command {
  return command
    .option('--batch-size <n>', 'products per batch (default 64, or 32 with --url)', positiveInteger)
    .option(
      '--url <url>',
      "send the batches to a running service's GraphQL endpoint instead of opening the database; repeat to spread them over several",
      serviceUrl,
      [],
    )
    .option('--token <token>', "the service's admin token (default: ADMIN_TOKEN)")
    .option('--concurrency <n>', 'with --url: batches in flight, spread over the services in turn (default: one per --url)', positiveInteger)
    .option('--tries <n>', 'with --url: tries per batch while a service is busy or cannot be reached', positiveInteger, 8);
}

/** One line per retry, as it happens: the service, why, and when the next try goes. */
export function sayRetry({ url, reason, next, attempts, waitMs }: Retry): void {
  printAbove(`${url}: ${reason}; try ${next} of ${attempts} in ${(waitMs / 1000).toFixed(1)} s`);
}

export function serviceUrl(value: string, previous: string[]): string[] {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new InvalidArgumentError('expected an http(s) URL');
  return [...previous, value];
}

export function importCommand(): Command {
  const command = new Command('import').description(
    'add products in batches through ResNet50; a rerun skips the skus already there, so an interrupted import continues',
  );
  const idx = command
    .command('idx')
    .description('import an IDX dataset (Fashion-MNIST by default), gzipped or raw')
    .option('--dir <dir>', 'folder with the IDX files', FASHION_MNIST_DIR)
    .addOption(new Option('--split <split>', 'train-* or t10k-* files').choices(['train', 'test']).default('train'))
    .option('--from <n>', 'first item', wholeNumber, 0)
    .option('--count <n>', 'number of items (default: all)', wholeNumber)
    .addOption(
      new Option('--categories <names>', 'category names for the labels').choices(Object.keys(CATEGORY_NAMES)).default('fashion'),
    )
    .option('--name <name>', 'dataset name, the first part of each sku', 'fashion-mnist');
  importOptions(idx).action(async (options) => {
    const dataset = await openIdxDataset(options.dir, options.split);
    const items = idxItems(dataset, {
      name: options.name,
      split: options.split,
      from: options.from,
      count: options.count ?? dataset.size,
      categories: CATEGORY_NAMES[options.categories as keyof typeof CATEGORY_NAMES],
    });
    await runImport(items, options);
  });
  const folder = command
    .command('folder <dir>')
    .description('import images laid out as DIR/<category>/<file> (jpg, png, webp); other files are counted as ignored, and named with --verbose');
  importOptions(folder).action(async (dir: string, options, self: Command) => {
    const { items, ignored } = await folderItems(dir);
    await runImport(items, options, { files: ignored, verbose: self.optsWithGlobals().verbose === true });
  });
  command.addCommand(importFeedCommand());
  return command;
}

async function runImport(items: ImportItem[], options: ImportOptions, ignored?: Ignored): Promise<void> {
  const report = (progress: ImportProgress) => {
    if (ignored?.verbose) for (const file of ignored.files) console.error(`ignored ${file}: not a jpg, png or webp in a category folder`);
    console.log(summaryLine(progress, ignored));
    if (progress.failed > 0) process.exitCode = EXIT_CODES.someFailed;
  };
  if (options.url.length === 0) {
    await runWithServices(async ({ catalog }, signal) => report(await importWithProgress(catalog, items, options.batchSize ?? 64, signal)));
    return;
  }
  const token = options.token ?? loadConfig(process.env).adminToken;
  await runInterruptible(async (signal) => {
    const concurrency = options.concurrency ?? options.url.length;
    const services = new RemoteCatalog(options.url, { token, signal, concurrency, attempts: options.tries, onRetry: sayRetry });
    report(await importWithProgress(services, items, options.batchSize ?? 32, signal, concurrency));
  });
}

export function summaryLine({ added, skipped, failed }: ImportProgress, ignored?: Ignored): string {
  const counted = `imported ${added}, skipped ${skipped} already in the catalog, failed ${failed}`;
  return ignored === undefined ? counted : `${counted}, ignored ${ignored.files.length}`;
}

/** importProducts behind a progress bar with rate and ETA; each item that fails is named on stderr. */
export async function importWithProgress(
  catalog: ImportTarget,
  items: ImportItem[],
  batchSize: number,
  signal: AbortSignal,
  concurrency?: number,
): Promise<ImportProgress> {
  const bar = progressBar('import', 'images');
  const update = tracker(bar, items.length);
  let stored = { added: 0, skipped: 0 };
  try {
    return await importProducts(catalog, items, {
      batchSize,
      concurrency,
      signal,
      onProgress: (progress) => {
        stored = progress;
        update(progress.done);
      },
      onFailure: ({ sku, code, reason }) => printAbove(`${sku}: ${code}: ${reason}`),
    });
  } catch (error) {
    if (error instanceof InterruptedError) {
      throw new InterruptedError(`interrupted: ${stored.added} imported, ${stored.skipped} skipped; run the same command again to continue`);
    }
    throw error;
  } finally {
    bar.stop();
  }
}
