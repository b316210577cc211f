import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { feedFormatOf, FeedFormatError, readFeed, type FeedFormat } from '../../src/datasets/feed-rows.js';

describe('feed rows', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lookalike-feed-rows-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function rows(name: string, text: string, format: FeedFormat = feedFormatOf(name)) {
    await writeFile(join(dir, name), text);
    const all = [];
    for await (const row of readFeed(join(dir, name), { format, listSeparator: '|' })) all.push({ ...row, ...('attributes' in row && { attributes: { ...row.attributes } }) });
    return all;
  }

  test('a CSV row: the product columns as written, every other column an attribute typed by the rule, empty cells left out', async () => {
    const feed = 'sku,name,category,image,price,zip:string,sizes,inStock,note\nA1,Boot,shoes,a.png,19.90,007,S|M,true,\n';
    assert.deepEqual(await rows('feed.csv', feed), [
      { line: 2, sku: 'A1', name: 'Boot', category: 'shoes', image: 'a.png', attributes: { price: 19.9, zip: '007', sizes: ['S', 'M'], inStock: true } },
    ]);
  });

  test('a CSV row with the wrong number of cells, or a cell its forced type cannot read, is unreadable with its line and sku', async () => {
    assert.deepEqual(await rows('bad.csv', 'sku,name,price:number\nA,x\nB,y,"1,5"\nC,z,2\n'), [
      { line: 2, sku: 'A', code: 'BAD_ROW', reason: '2 cells where the header has 3' },
      { line: 3, sku: 'B', code: 'BAD_ROW', reason: 'column price: "1,5" is not a plain decimal number' },
      { line: 4, sku: 'C', name: 'z', category: undefined, image: undefined, attributes: { price: 2 } },
    ]);
  });

  test('a CSV without a sku column, or naming a column twice, cannot be imported', async () => {
    await assert.rejects(rows('nosku.csv', 'name,image\nx,y\n'), FeedFormatError);
    await assert.rejects(rows('twice.csv', 'sku,price,price:number\nx,1,2\n'), FeedFormatError);
  });

  test('JSON Lines: values as JSON gives them, an attributes object merged in, null left out, bad lines reported by number', async () => {
    const feed = [
      '\uFEFF{"sku":"A","name":"Boot","image":"https://shop.example/a.png","price":19.9,"attributes":{"sizes":["S"]},"old":null}',
      '',
      'not json',
      '[1]',
      '{"sku":"B","price":1,"attributes":{"price":2}}',
    ].join('\r\n');
    const read = await rows('feed.jsonl', feed);
    assert.match((read[1] as { reason: string }).reason, /^not JSON: /);
    assert.deepEqual(read, [
      { line: 1, sku: 'A', name: 'Boot', category: undefined, image: 'https://shop.example/a.png', attributes: { price: 19.9, sizes: ['S'] } },
      { line: 3, code: 'BAD_ROW', reason: (read[1] as { reason: string }).reason },
      { line: 4, code: 'BAD_ROW', reason: 'a line must be a JSON object' },
      { line: 5, sku: 'B', code: 'BAD_ROW', reason: 'attribute price is given twice, as a field and in attributes' },
    ]);
  });

  test('the format comes from the extension, or is asked for', () => {
    assert.equal(feedFormatOf('a/feed.CSV'), 'csv');
    assert.equal(feedFormatOf('feed.ndjson'), 'jsonl');
    assert.throws(() => feedFormatOf('feed.txt'), FeedFormatError);
  });
});
