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
 * RFC 4180 records from text arriving in chunks, one record held at a time:
 * cells separated by commas, quoted cells ("...") may hold commas, line
 * breaks and doubled quotes; LF and CRLF both end a record; a leading byte
 * order mark is dropped; blank lines are skipped. Throws
 * UnterminatedQuoteError at the end if a quote was left open.
 */
export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  // A quote inside a quoted cell ends it unless the next character is another quote.
  let quoteSeen = false;
  let line = 1;
  let start = 1;
  let first = true;
  let touched = false;
  const endRecord = function* () {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '' || touched) yield { line: start, cells };
    cells = [];
    cell = '';
    touched = false;
  };
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    for (let i = 0; i < chunk.length; i++) {
      const char = chunk[i]!;
      if (quoted) {
        if (quoteSeen) {
          quoteSeen = false;
          if (char === '"') {
            cell += '"';
            continue;
          }
          quoted = false;
        } else {
          if (char === '"') quoteSeen = true;
          else {
            if (char === '\n') line++;
            cell += char;
          }
          continue;
        }
      }
      if (char === '"' && cell === '') {
        quoted = true;
        touched = true;
      } else if (char === ',') {
        cells.push(cell);
        cell = '';
      } else if (char === '\n') {
        if (cell.endsWith('\r')) cell = cell.slice(0, -1);
        yield* endRecord();
        start = ++line;
      } else {
        cell += char;
      }
    }
  }
  if (quoted && !quoteSeen) throw new UnterminatedQuoteError(start);
  if (cell.endsWith('\r')) cell = cell.slice(0, -1);
  yield* endRecord();
}
