import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { csvRecords, UnterminatedQuoteError } from './csv-records.js';
import { cellValue, CellTypeError, columnOf } from './feed-values.js';

export type FeedFormat = 'csv' | 'jsonl';

/** The fields a feed names; every other column or field is an attribute. */
const PRODUCT_FIELDS = ['sku', 'name', 'category', 'image'] as const;

/** A feed row as written, not yet checked: the product's fields and its attributes. */
export interface FeedRow {
  /** Where the row starts in the file, 1-based (a CSV's header is line 1). */
  line: number;
  sku: unknown;
  name: unknown;
  category: unknown;
  image: unknown;
  attributes: Record<string, unknown>;
}

/** A row that cannot be read as one: the import reports it and goes on. */
export interface UnreadableRow {
  line: number;
  sku?: string | undefined;
  code: 'BAD_ROW';
  reason: string;
}

export interface FeedReadOptions {
  format: FeedFormat;
  /** Splits a CSV cell into a list of strings (feed-values.ts). */
  listSeparator: string;
}

/** A feed file whose format cannot be told or whose header is unusable: nothing of it can be imported. */
export class FeedFormatError extends Error {
  override name = 'FeedFormatError';
}

/** The format a feed's file name says: .csv, or .jsonl / .ndjson. */
export function feedFormatOf(path: string): FeedFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new FeedFormatError(`${path}: cannot tell the feed's format from its name (.csv, .jsonl, .ndjson); give --format csv or --format jsonl`);
}

/** The rows of a feed file, read as a stream: one row at a time in memory. */
export function readFeed(path: string, options: FeedReadOptions): AsyncGenerator<FeedRow | UnreadableRow> {
  const text = createReadStream(path, { encoding: 'utf8' });
  return options.format === 'csv' ? csvRows(text, options.listSeparator) : jsonLinesRows(text);
}

async function* csvRows(text: AsyncIterable<string>, separator: string): AsyncGenerator<FeedRow | UnreadableRow> {
  const records = csvRecords(text);
  let header: { key: string; type: ReturnType<typeof columnOf>['type'] }[] | undefined;
  try {
    for await (const { line, cells } of records) {
      if (!header) {
        header = cells.map((cell) => columnOf(cell.trim()));
        const keys = header.map((column) => column.key);
        const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
        if (repeated !== undefined) throw new FeedFormatError(`the header names the column ${JSON.stringify(repeated)} twice`);
        if (!keys.includes('sku')) throw new FeedFormatError('the header has no sku column');
        continue;
      }
      const sku = cells[header.findIndex((column) => column.key === 'sku')]?.trim() || undefined;
      if (cells.length !== header.length) {
        yield { line, sku, code: 'BAD_ROW', reason: `${cells.length} cells where the header has ${header.length}` };
        continue;
      }
      yield csvRow(line, header, cells, separator, sku);
    }
  } catch (error) {
    if (!(error instanceof UnterminatedQuoteError)) throw error;
    yield { line: error.line, code: 'BAD_ROW', reason: error.message };
  }
  if (!header) throw new FeedFormatError('the feed is empty: a CSV feed starts with a header row');
}

function csvRow(line: number, header: readonly ReturnType<typeof columnOf>[], cells: readonly string[], separator: string, sku: string | undefined): FeedRow | UnreadableRow {
  const row: FeedRow = { line, sku: undefined, name: undefined, category: undefined, image: undefined, attributes: noPrototype() };
  for (const [i, { key, type }] of header.entries()) {
    const cell = cells[i]!;
    if (isProductField(key)) {
      row[key] = cell === '' ? undefined : cell;
      continue;
    }
    try {
      const value = cellValue(cell, type, separator);
      if (value !== undefined) row.attributes[key] = value;
    } catch (error) {
      if (!(error instanceof CellTypeError)) throw error;
      return { line, sku, code: 'BAD_ROW', reason: `column ${key}: ${error.message}` };
    }
  }
  return row;
}

/**
 * JSON Lines: one object per line, its values as JSON gives them. Fields
 * other than the product's are attributes, and so are those of an
 * `attributes` object; a null is a key left out.
 */
async function* jsonLinesRows(text: NodeJS.ReadableStream): AsyncGenerator<FeedRow | UnreadableRow> {
  let line = 0;
  for await (const raw of createInterface({ input: text, crlfDelay: Infinity })) {
    line++;
    const source = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (source.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch (error) {
      yield { line, code: 'BAD_ROW', reason: `not JSON: ${(error as Error).message}` };
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      yield { line, code: 'BAD_ROW', reason: 'a line must be a JSON object' };
      continue;
    }
    yield jsonRow(line, parsed as Record<string, unknown>);
  }
}

function jsonRow(line: number, object: Record<string, unknown>): FeedRow | UnreadableRow {
  const row: FeedRow = { line, sku: object.sku, name: object.name, category: object.category ?? undefined, image: object.image, attributes: noPrototype() };
  const sku = typeof object.sku === 'string' ? object.sku : undefined;
  const nested = object.attributes ?? {};
  if (typeof nested !== 'object' || Array.isArray(nested)) return { line, sku, code: 'BAD_ROW', reason: 'attributes must be a JSON object' };
  for (const [key, value] of [...Object.entries(object), ...Object.entries(nested)]) {
    if (isProductField(key) || (key === 'attributes' && value === nested) || value === null) continue;
    if (Object.hasOwn(row.attributes, key)) return { line, sku, code: 'BAD_ROW', reason: `attribute ${key} is given twice, as a field and in attributes` };
    row.attributes[key] = value;
  }
  return row;
}

function isProductField(key: string): key is (typeof PRODUCT_FIELDS)[number] {
  return (PRODUCT_FIELDS as readonly string[]).includes(key);
}

/** Keys such as `__proto__` stay keys (attributesOf refuses them) instead of setting a prototype. */
function noPrototype(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
