import { on } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { parse, type Info } from 'csv-parse';

/** One CSV record: its cells and the line it starts on (1-based), which a report of a bad row names. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** The text ended inside a quoted cell: everything from `line` on was swallowed by it. */
export class UnterminatedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`a quoted cell opened on line ${line} never closes`);
  }
}

/**
 * RFC 4180 records from text arriving in chunks, one record held at a time
 * (csv-parse): quoted cells may hold commas, line breaks and doubled quotes;
 * LF and CRLF both end a record; a leading byte order mark is dropped; blank
 * lines are skipped. Throws UnterminatedQuoteError if a quote is left open.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true, record_delimiter: ['\r\n', '\n'] });
  // Records come as events, so those parsed before an error are still read before it; past 256 waiting, the parser pauses.
  const fed = pipeline(chunks, parser).catch(() => {});
  // csv-parse counts the lines read when a record ends; it starts after the last one and the blank lines since.
  let ended = { lines: 0, empty: 0 };
  try {
    for await (const [{ record, info }] of on(parser, 'data', { close: ['end'], highWaterMark: 256 }) as AsyncIterable<[{ record: string[]; info: Info & { empty_lines: number } }]>) {
      const line = ended.lines + 1 + (info.empty_lines - ended.empty);
      ended = { lines: info.lines, empty: info.empty_lines };
      yield { line, cells: record };
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') throw new UnterminatedQuoteError(ended.lines + 1);
    throw error;
  } finally {
    // A reader that stops early leaves the parser paused: the pipeline would never end.
    parser.destroy();
    await fed;
  }
}
