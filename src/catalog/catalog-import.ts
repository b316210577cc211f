import { normalizeProductText } from '../domain/product-text.js';
import type { ProductInput } from './catalog.service.js';
import { productRefusal, sendWithoutRefused, type ProductRefusal } from './product-refusal.js';

export interface ImportItem {
  sku: string;
  name: string;
  category: string | null;
  /** Read lazily, so a large import holds one batch of files in memory; a ProductRefusal when it cannot be read fails this item alone. */
  image(): Promise<Uint8Array>;
}

/**
 * Where an import adds products: the catalog service in this process, or a
 * running service over HTTP (src/cli/remote-catalog.ts).
 */
export interface ImportTarget {
  /** Which of these skus the catalog has already; a target that cannot tell ahead answers none. */
  existingSkus(skus: readonly string[]): Promise<string[]>;
  /**
   * Adds the products, all or nothing, and returns those it added: fewer when
   * it skipped skus it found already there. A product refused for itself is a
   * ProductRefusal, or a DomainError of one of its codes, naming its index.
   */
  addProducts(inputs: readonly ProductInput[]): Promise<readonly { sku: string }[]>;
}

export interface ImportProgress {
  total: number;
  /** Items handled so far, added, skipped or failed. */
  done: number;
  added: number;
  /** Already in the catalog. */
  skipped: number;
  /** Refused for themselves, or their image unreadable; the others went on. */
  failed: number;
}

/** An item that was not imported, and why. */
export interface ItemFailure {
  sku: string;
  code: string;
  reason: string;
}

export interface ImportOptions {
  batchSize: number;
  /** Batches in flight: while one is in ResNet50 the next is read and decoded. */
  concurrency?: number;
  onProgress?: (progress: ImportProgress) => void;
  onFailure?: (failure: ItemFailure) => void;
  signal?: AbortSignal;
}

/**
 * Adds items in batches through the catalog service, skipping skus the
 * catalog has already: an interrupted import continues where it stopped when
 * it is run again. Each batch lands whole or not at all; one the catalog
 * refuses because of an item goes again without it, and that item fails.
 */
export async function importProducts(
  catalog: ImportTarget,
  items: readonly ImportItem[],
  options: ImportOptions,
): Promise<ImportProgress> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`the batch size must be a positive integer, got ${options.batchSize}`);
  }
  const progress: ImportProgress = { total: items.length, done: 0, added: 0, skipped: 0, failed: 0 };
  const batches: ImportItem[][] = [];
  for (let i = 0; i < items.length; i += options.batchSize) batches.push(items.slice(i, i + options.batchSize));
  let next = 0;
  // The first failure (or Ctrl-C) stops every worker after its current batch, so the counts are what was stored.
  let failure: { reason: unknown } | undefined;

  const worker = async () => {
    while (next < batches.length && failure === undefined && !options.signal?.aborted) {
      const batch = batches[next++]!;
      const existing = new Set(await catalog.existingSkus(batch.map((item) => item.sku)));
      // The catalog answers skus as it stores them: normalized.
      const fresh = batch.filter((item) => !existing.has(normalizeProductText(item.sku)));
      let failed = 0;
      const fail = (item: ImportItem, refusal: ProductRefusal) => {
        failed++;
        options.onFailure?.({ sku: item.sku, code: refusal.code, reason: refusal.reason });
      };
      const inputs = (await Promise.all(fresh.map((item) => readInput(item, fail)))).filter((input) => input !== undefined);
      const answers = await sendWithoutRefused(inputs, (pending) => catalog.addProducts(pending.map((p) => p.input)), (p, refusal) => fail(p.item, refusal));
      const added = answers.reduce((sum, stored) => sum + stored.length, 0);
      progress.added += added;
      progress.failed += failed;
      progress.skipped += batch.length - added - failed;
      progress.done += batch.length;
      options.onProgress?.({ ...progress });
    }
  };
  const stopOnFailure = (reason: unknown) => {
    failure ??= { reason };
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 2 }, () => worker().catch(stopOnFailure)));
  if (failure) throw failure.reason;
  options.signal?.throwIfAborted();
  return progress;
}

async function readInput(item: ImportItem, fail: (item: ImportItem, refusal: ProductRefusal) => void): Promise<{ item: ImportItem; input: ProductInput } | undefined> {
  try {
    return { item, input: { sku: item.sku, name: item.name, category: item.category, image: await item.image() } };
  } catch (error) {
    const refusal = productRefusal(error);
    if (refusal === undefined) throw error;
    fail(item, refusal);
    return undefined;
  }
}
