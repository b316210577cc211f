import type { FeedRow, UnreadableRow } from '../datasets/feed-rows.js';
import { feedImage, FeedImageError, type FeedImage } from '../datasets/feed-image.js';
import { DomainError } from '../errors.js';
import { attributesOf, type Attributes } from '../domain/attributes.js';
import { categoryKey, normalizeCategory } from '../domain/category.js';
import type { ProductInput } from './catalog.service.js';
import type { FeedTarget, StoredProduct } from './feed-target.js';
import { productRefusal, sendWithoutRefused } from './product-refusal.js';
import type { ImageSource } from './product-images.js';
import { validSku } from './sku.js';

/** A row the import skipped, as the errors file lists it. */
export interface RowFailure {
  line: number;
  sku: string | null;
  code: string;
  reason: string;
}

export interface FeedSummary {
  added: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** With deleteMissing: the products the feed no longer lists, deleted (or, on a dry run, to delete). */
  missing?: number;
  /** Why the missing products were left: rows failed. */
  keptMissing?: string;
}

export interface FeedImportOptions {
  /** Where relative image paths start: the feed's folder. */
  feedDir: string;
  maxImageBytes: number;
  /** Rows sent together. */
  batchSize: number;
  /** Batches in flight. */
  concurrency: number;
  deleteMissing: boolean;
  /** Counts what would change, writing nothing. */
  dryRun: boolean;
  signal?: AbortSignal | undefined;
  onFailure(failure: RowFailure): void;
  /** Rows handled so far, of every kind. */
  onProgress?(done: number): void;
}

/** A row checked, its image read, and what it does to the catalog. */
interface Planned {
  line: number;
  sku: string;
  input: ProductInput<ImageSource>;
  category: string | null;
  attributes: Attributes;
  image: FeedImage;
}

/**
 * Brings the catalog in line with a feed, batch by batch as the rows are
 * read: a sku it lacks is added, a stored product whose image differs
 * (another file's SHA-256, another link) is replaced, one whose name,
 * category or attributes alone differ is updated without analysing its
 * image, and the rest is left. A row that cannot be read or checked, or
 * whose product is refused, is reported and skipped; the others go on.
 * With deleteMissing, once every row has been read and none failed, the
 * products whose skus the feed does not list are deleted.
 */
export async function importFeed(rows: AsyncIterable<FeedRow | UnreadableRow>, target: FeedTarget, options: FeedImportOptions): Promise<FeedSummary> {
  const summary: FeedSummary = { added: 0, updated: 0, unchanged: 0, failed: 0 };
  const listed = new Map<string, number>();
  let done = 0;
  const fail = (failure: RowFailure) => {
    summary.failed++;
    options.onFailure(failure);
  };
  const handled = (count: number) => {
    done += count;
    options.onProgress?.(done);
  };

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let batch: FeedRow[] = [];
  const flush = async () => {
    const rows = batch;
    batch = [];
    const work = importBatch(rows, target, options, summary, fail)
      .then(() => handled(rows.length))
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  };
  for await (const row of rows) {
    if (failure || options.signal?.aborted) break;
    if ('code' in row) {
      fail({ line: row.line, sku: row.sku ?? null, code: row.code, reason: row.reason });
      handled(1);
      continue;
    }
    const sku = skuOf(row);
    if (typeof sku !== 'string') {
      fail({ line: row.line, sku: typeof row.sku === 'string' ? row.sku : null, code: 'BAD_USER_INPUT', reason: sku.reason });
      handled(1);
      continue;
    }
    const first = listed.get(sku);
    if (first !== undefined) {
      fail({ line: row.line, sku, code: 'DUPLICATE_SKU', reason: `the sku is on line ${first} already` });
      handled(1);
      continue;
    }
    listed.set(sku, row.line);
    batch.push(row);
    if (batch.length >= options.batchSize) await flush();
  }
  if (batch.length > 0 && !failure && !options.signal?.aborted) await flush();
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  options.signal?.throwIfAborted();
  if (options.deleteMissing) await deleteMissing(target, listed, summary, options);
  return summary;
}

function skuOf(row: FeedRow): string | { reason: string } {
  if (typeof row.sku !== 'string' || row.sku.trim() === '') return { reason: 'the row has no sku' };
  try {
    return validSku(row.sku);
  } catch (error) {
    if (error instanceof DomainError) return { reason: error.message };
    throw error;
  }
}

async function importBatch(
  rows: readonly FeedRow[],
  target: FeedTarget,
  options: FeedImportOptions,
  summary: FeedSummary,
  fail: (failure: RowFailure) => void,
): Promise<void> {
  const planned: Planned[] = [];
  await Promise.all(
    rows.map(async (row) => {
      const sku = validSku(row.sku as string);
      try {
        planned.push(await plan(row, sku, options));
      } catch (error) {
        if (!(error instanceof FeedImageError || error instanceof DomainError)) throw error;
        fail({ line: row.line, sku, code: error.code, reason: error.message });
      }
    }),
  );
  planned.sort((a, b) => a.line - b.line);
  const stored = new Map((await target.stored(planned.map((p) => p.sku))).map((product) => [product.sku, product]));
  const fresh = planned.filter((p) => !stored.has(p.sku));
  const newImage = planned.filter((p) => stored.has(p.sku) && imageChanged(p.image, stored.get(p.sku)!));
  const newFields = planned.filter((p) => stored.has(p.sku) && !imageChanged(p.image, stored.get(p.sku)!) && fieldsChanged(p, stored.get(p.sku)!));
  summary.unchanged += planned.length - fresh.length - newImage.length - newFields.length;
  if (options.dryRun) {
    summary.added += fresh.length;
    summary.updated += newImage.length + newFields.length;
    return;
  }
  const sent = await upsertAll(target, [...fresh, ...newImage], fail);
  summary.added += sent.filter((p) => !stored.has(p.sku)).length;
  summary.updated += sent.length - sent.filter((p) => !stored.has(p.sku)).length;
  for (const p of newFields) {
    try {
      await target.updateFields(stored.get(p.sku)!.id, { name: p.input.name, category: p.category, attributes: p.attributes });
      summary.updated++;
    } catch (error) {
      const refusal = productRefusal(error);
      if (refusal === undefined) throw error;
      fail({ line: p.line, sku: p.sku, code: refusal.code, reason: refusal.message });
    }
  }
}

async function plan(row: FeedRow, sku: string, options: FeedImportOptions): Promise<Planned> {
  if (typeof row.name !== 'string') throw new DomainError('BAD_USER_INPUT', 'the row has no name');
  if (row.category !== undefined && typeof row.category !== 'string') throw new DomainError('BAD_USER_INPUT', 'category must be text');
  const attributes = attributesOf(row.attributes);
  const image = await feedImage(row.image, options.feedDir, options.maxImageBytes);
  const category = row.category === undefined ? null : normalizeCategory(row.category);
  return {
    line: row.line,
    sku,
    input: { sku, name: row.name, category, attributes, image: 'url' in image ? { url: image.url } : image.bytes },
    category,
    attributes,
    image,
  };
}

/** A link is the image's identity: the same link is the same image, unfetched; a file is its bytes' SHA-256. */
function imageChanged(image: FeedImage, stored: StoredProduct): boolean {
  return 'url' in image ? image.url !== stored.image.url : image.sha256 !== stored.image.sha256 || stored.image.url !== null;
}

function fieldsChanged(p: Planned, stored: StoredProduct): boolean {
  // A category matches the stored one ignoring case, as the catalog stores the first spelling it was given.
  const category = (value: string | null) => (value === null ? null : categoryKey(value));
  return p.input.name.trim() !== stored.name || category(p.category) !== category(stored.category) || canonical(p.attributes) !== canonical(stored.attributes);
}

/** Attributes as JSON with their keys sorted: the database keeps jsonb keys in an order of its own. */
function canonical(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((key) => [key, attributes[key]]));
}

/** Sends the products, sending again without each one the target refuses; returns those stored. */
async function upsertAll(target: FeedTarget, products: readonly Planned[], fail: (failure: RowFailure) => void): Promise<Planned[]> {
  const stored = await sendWithoutRefused(
    products,
    async (pending) => {
      await target.upsert(pending.map((p) => p.input));
      return pending;
    },
    (p, refusal) => fail({ line: p.line, sku: p.sku, code: refusal.code, reason: refusal.reason }),
  );
  return stored.flat();
}

async function deleteMissing(target: FeedTarget, listed: ReadonlyMap<string, number>, summary: FeedSummary, options: FeedImportOptions): Promise<void> {
  const missing: string[] = [];
  for await (const product of target.products()) if (!listed.has(product.sku)) missing.push(product.id);
  summary.missing = missing.length;
  if (options.dryRun || missing.length === 0) return;
  if (summary.failed > 0) {
    // A failed row may be the only one to list its product: nothing is deleted on its word.
    summary.keptMissing = `${summary.failed} rows failed`;
    return;
  }
  for (const id of missing) await target.delete(id);
}
