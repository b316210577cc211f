import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvRecords, UnterminatedQuoteError } from '../../src/datasets/csv-records.js';

async function records(...chunks: string[]) {
  const all = [];
  for await (const record of csvRecords((async function* () { yield* chunks; })())) all.push(record);
  return all;
}

describe('CSV records', () => {
  test('quoted cells hold commas, doubled quotes and line breaks, and each record names the line it starts on', async () => {
    assert.deepEqual(await records('sku,name\na,"b, ""c"""\n"x","two\nlines"\nlast,one\n'), [
      { line: 1, cells: ['sku', 'name'] },
      { line: 2, cells: ['a', 'b, "c"'] },
      { line: 3, cells: ['x', 'two\nlines'] },
      { line: 5, cells: ['last', 'one'] },
    ]);
  });

  test('a byte order mark is dropped, CRLF ends a record as LF does, and the last line needs no break', async () => {
    assert.deepEqual(await records('\uFEFFsku,name\r\n"a","b"\r\nc,d'), [
      { line: 1, cells: ['sku', 'name'] },
      { line: 2, cells: ['a', 'b'] },
      { line: 3, cells: ['c', 'd'] },
    ]);
  });

  test('a record split across chunks, even inside a quote or between CR and LF, reads the same', async () => {
    assert.deepEqual(await records('sku,na', 'me\r', '\n"a,', '""b"', '"', '",c\n'), [
      { line: 1, cells: ['sku', 'name'] },
      { line: 2, cells: ['a,"b"', 'c'] },
    ]);
  });

  test('blank lines are skipped, empty cells are kept', async () => {
    assert.deepEqual(await records('a,b\n\n,\n\r\n"",x\n'), [
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['', ''] },
      { line: 5, cells: ['', 'x'] },
    ]);
  });

  test('a reader that stops early ends the reading: the rest of a long text is never waited for', { timeout: 10_000 }, async () => {
    const long = (async function* () {
      yield 'sku\n';
      for (let i = 0; ; i++) yield `s${i}\n`;
    })();
    let read = 0;
    for await (const record of csvRecords(long)) {
      if (++read === 1000) break;
      assert.ok(record.cells.length === 1);
    }
    assert.equal(read, 1000);
  });

  test('a quote left open is refused naming the line it opened on', async () => {
    await assert.rejects(records('a,b\n1,"never\nclosed\n'), (error: unknown) => error instanceof UnterminatedQuoteError && error.line === 2);
  });
});
