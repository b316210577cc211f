import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CatalogFeedTarget } from '../../catalog/catalog-feed-target.js';
import { importFeed, type FeedSummary, type RowFailure } from '../../catalog/feed-import.js';
import type { FeedTarget } from '../../catalog/feed-target.js';
import { loadConfig } from '../../config.js';
import { feedFormatOf, FeedFormatError, readFeed, type FeedFormat, type FeedReadOptions } from '../../datasets/feed-rows.js';
import { DEFAULT_LIST_SEPARATOR } from '../../datasets/feed-values.js';
import { EXIT_CODES } from '../exit-codes.js';
import { printAbove, progressBar, tracker } from '../progress.js';
import { RemoteFeedTarget } from '../remote-feed-target.js';
import { InterruptedError, runInterruptible, runWithServices } from '../run-with-services.js';
import { importOptions, sayRetry } from './import.js';

interface FeedOptions {
  format: FeedFormat | undefined;
  listSeparator: string;
  errors: string | undefined;
  deleteMissing: boolean;
  dryRun: boolean;
  batchSize: number | undefined;
  url: string[];
  token: string | undefined;
  concurrency: number | undefined;
  tries: number;
}

export function importFeedCommand(): Command {
  const command = new Command('feed')
    .argument('<file>', 'the feed: CSV with a header row, or JSON Lines')
    .description('bring the catalog in line with a product feed: add, update what changed, leave the rest; bad rows are reported and skipped')
    .addOption(new Option('--format <format>', 'the feed\'s format (default: from its extension, .csv or .jsonl/.ndjson)').choices(['csv', 'jsonl']))
    .option('--list-separator <text>', 'in a CSV cell, what separates the items of a list of strings', nonEmpty, DEFAULT_LIST_SEPARATOR)
    .option('--errors <file>', 'write the rows that failed there, one JSON object a line (line, sku, code, reason), instead of to stderr')
    .option('--delete-missing', 'delete the products whose skus the feed does not list, when no row failed', false)
    .option('--dry-run', 'count what would be added, updated and deleted, writing nothing', false);
  return importOptions(command).action(async (file: string, options: FeedOptions) => runFeedImport(file, options));
}

function nonEmpty(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected at least one character');
  return value;
}

async function runFeedImport(file: string, options: FeedOptions): Promise<void> {
  const config = loadConfig(process.env);
  const read: FeedReadOptions = { format: options.format ?? feedFormatOf(file), listSeparator: options.listSeparator };
  // A first pass counts the rows for the progress bar, and finds an unusable file before anything opens.
  const total = await countRows(file, read);
  const errors = options.errors === undefined ? undefined : createWriteStream(options.errors);
  const run = async (target: FeedTarget, signal: AbortSignal, batchSize: number, concurrency: number) => {
    const bar = progressBar(options.dryRun ? 'feed (dry run)' : 'feed', 'rows');
    const update = tracker(bar, total);
    let summary: FeedSummary;
    try {
      summary = await importFeed(readFeed(file, read), target, {
        feedDir: dirname(resolve(file)),
        maxImageBytes: config.maxImageBytes,
        batchSize,
        concurrency,
        deleteMissing: options.deleteMissing,
        dryRun: options.dryRun,
        signal,
        onFailure: (failure) => report(failure, errors),
        onProgress: update,
      });
    } catch (error) {
      if (error instanceof InterruptedError) throw new InterruptedError('interrupted: what was stored stays; run the same command again to continue');
      throw error;
    } finally {
      bar.stop();
      await new Promise((done) => (errors ? errors.end(done) : done(undefined)));
    }
    if (summary.keptMissing) console.error(`not deleting the ${summary.missing} products the feed no longer lists: ${summary.keptMissing}`);
    console.log(summaryLine(summary, options));
    if (summary.failed > 0) process.exitCode = EXIT_CODES.someFailed;
  };
  if (options.url.length === 0) {
    await runWithServices(({ catalog }, signal) => run(new CatalogFeedTarget(catalog), signal, options.batchSize ?? 64, options.concurrency ?? 2));
    return;
  }
  await runInterruptible(async (signal) => {
    const concurrency = options.concurrency ?? options.url.length;
    const target = new RemoteFeedTarget(options.url, { token: options.token ?? config.adminToken, signal, concurrency, attempts: options.tries, onRetry: sayRetry });
    await run(target, signal, options.batchSize ?? 32, concurrency);
  });
}

async function countRows(file: string, read: FeedReadOptions): Promise<number> {
  let count = 0;
  try {
    for await (const _row of readFeed(file, read)) count++;
  } catch (error) {
    if (error instanceof FeedFormatError) throw new FeedFormatError(`${file}: ${error.message}`);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') throw new FeedFormatError(`${file}: cannot read the feed (${code})`);
    throw error;
  }
  return count;
}

function report(failure: RowFailure, errors: WriteStream | undefined): void {
  if (errors) errors.write(`${JSON.stringify(failure)}\n`);
  else printAbove(`line ${failure.line}${failure.sku === null ? '' : ` (sku ${failure.sku})`}: ${failure.code}: ${failure.reason}`);
}

function summaryLine(summary: FeedSummary, options: FeedOptions): string {
  const { added, updated, unchanged, failed, missing } = summary;
  if (options.dryRun) {
    return `dry run, nothing written: would add ${added}, update ${updated}, leave ${unchanged} unchanged; ${failed} failed${missing === undefined ? '' : `; would delete ${missing}`}`;
  }
  const deleted = missing === undefined ? '' : `, deleted ${summary.keptMissing ? 0 : missing}`;
  return `added ${added}, updated ${updated}, unchanged ${unchanged}, failed ${failed}${deleted}`;
}
