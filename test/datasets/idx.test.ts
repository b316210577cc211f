import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { parseIdx, readIdxFile } from '../../src/datasets/idx.js';
import { openIdxDataset } from '../../src/datasets/idx-dataset.js';

function idx(dims: number[], data: number[], type = 0x08): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(type, 2);
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idx-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('parses dimensions and data', () => {
  const array = parseIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  assert.deepEqual(array.dims, [2, 2, 3]);
  assert.deepEqual(Array.from(array.data), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test('a bad magic number is a clear error', () => {
  const bytes = idx([1], [5]);
  bytes[0] = 0x1f;
  assert.throws(() => parseIdx(bytes, 'x.idx'), /x\.idx: bad magic number 0x1f000801, not an IDX file/);
});

test('an element type other than unsigned bytes is refused by name', () => {
  assert.throws(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d)), /element type 0xd is not supported/);
});

test('a truncated file says how much data is missing', () => {
  assert.throws(() => parseIdx(idx([2, 3], [1, 2, 3, 4])), /dimensions 2x3 need 6 bytes of data, found 4 \(truncated\)/);
  assert.throws(() => parseIdx(idx([4], []).subarray(0, 6)), /header declares 1 dimensions but the file ends at byte 6/);
  assert.throws(() => parseIdx(new Uint8Array(2)), /too short/);
});

test('reads gzipped and raw files alike', async () => {
  const raw = idx([3], [7, 8, 9]);
  await writeFile(join(dir, 'raw'), raw);
  await writeFile(join(dir, 'zipped'), gzipSync(raw));
  assert.deepEqual(await readIdxFile(join(dir, 'raw')), await readIdxFile(join(dir, 'zipped')));
});

test('a truncated gzip file is a clear error', async () => {
  const zipped = gzipSync(idx([100], Array.from({ length: 100 }, (_, i) => i)));
  await writeFile(join(dir, 'cut.gz'), zipped.subarray(0, zipped.length - 10));
  await assert.rejects(readIdxFile(join(dir, 'cut.gz')), /gzip data is corrupt or truncated/);
});

test('opens an images and labels pair, raw or gzipped, checking they agree', async () => {
  const images = idx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), idx([2], [9, 4]));
  const dataset = await openIdxDataset(dir, 'train');
  assert.deepEqual([dataset.size, dataset.width, dataset.height], [2, 2, 2]);
  assert.deepEqual(Array.from(dataset.image(1)), [4, 5, 6, 7]);
  assert.equal(dataset.label(0), 9);

  await writeFile(join(dir, 't10k-images-idx3-ubyte'), images);
  await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idx([3], [1, 2, 3]));
  await assert.rejects(openIdxDataset(dir, 'test'), /2 images but 3 labels/);
});

test('a missing file names what it looked for', async () => {
  await assert.rejects(openIdxDataset(join(dir, 'nowhere'), 'train'), /neither train-images-idx3-ubyte nor train-images-idx3-ubyte\.gz/);
});

test('reads the real Fashion-MNIST test set when it is installed', { skip: !(await import('node:fs')).existsSync('/usr/share/datasets/fashion-mnist') }, async () => {
  const dataset = await openIdxDataset('/usr/share/datasets/fashion-mnist', 'test');
  assert.deepEqual([dataset.size, dataset.width, dataset.height], [10000, 28, 28]);
  assert.ok(dataset.label(5033) >= 0 && dataset.label(5033) <= 9);
});
