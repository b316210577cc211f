import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { neighbourGridPng, neighbourGridSvg, type GridRow } from '../../src/reports/neighbour-grid.js';

let png: Uint8Array;
let webp: Uint8Array;
before(async () => {
  // Grey like Fashion-MNIST: a white square on black.
  const white = '<svg width="28" height="28"><rect x="8" y="8" width="12" height="12" fill="white"/></svg>';
  const square = sharp({ create: { width: 28, height: 28, channels: 3, background: 'black' } })
    .composite([{ input: Buffer.from(white) }])
    .greyscale();
  png = await square.clone().png().toBuffer();
  webp = await square.clone().webp({ lossless: true }).toBuffer();
});

function rows(count: number, neighbours: number): GridRow[] {
  return Array.from({ length: count }, () => ({
    query: { image: png, caption: 'Ankle boot (pred. Sneaker)' },
    neighbours: Array.from({ length: neighbours }, (_, i) => ({
      image: i % 2 ? webp : png,
      caption: i % 2 ? 'Sneaker' : 'Ankle boot',
      distance: 0.4 + i / 30,
      match: i % 2 === 0,
    })),
  }));
}

async function size(image: Uint8Array): Promise<{ width: number; height: number }> {
  const { format, width = 0, height = 0 } = await sharp(image).metadata();
  assert.equal(format, 'png');
  return { width, height };
}

test('renders a PNG that grows with rows and with neighbours', async () => {
  const one = await size(await neighbourGridPng(rows(1, 6)));
  const three = await size(await neighbourGridPng(rows(3, 6)));
  const fewer = await size(await neighbourGridPng(rows(1, 3)));
  // At twice the 96-unit cells: seven columns, and two more rows each at least an image high.
  assert.ok(one.width > 7 * 2 * 96 && one.height > 2 * 96, `${one.width}x${one.height}`);
  assert.ok(three.height - one.height > 2 * 2 * 96, `${three.height} vs ${one.height}`);
  assert.equal(three.width, one.width);
  assert.ok(fewer.width < one.width, `${fewer.width} vs ${one.width}`);
});

test('draws the query then each neighbour, captioned with category and distance', async () => {
  const svg = await neighbourGridSvg(rows(2, 6), { title: 'Nearest items' });
  assert.equal(svg.match(/<image /g)?.length, 2 * 7);
  const headers = ['Nearest items', 'Query', '#6'];
  const captions = ['(pred. Sneaker)', '✓\u00a0Ankle boot', '✗\u00a0Sneaker', 'd = 0.40', 'd = 0.57'];
  for (const text of [...headers, ...captions]) {
    assert.ok(svg.includes(`>${text}<`), text);
  }
});

test('frames matches and mismatches in different colours', async () => {
  const svg = await neighbourGridSvg(rows(1, 2));
  const frames = new Set(svg.match(/stroke="#[0-9a-f]{6}" stroke-width="3"/g));
  assert.equal(frames.size, 3, [...frames].join(', '));
});

test('scales small images up without blurring their pixels', async () => {
  const svg = await neighbourGridSvg(rows(1, 1), { cellSize: 56 });
  const url = /href="data:image\/png;base64,([^"]+)"/.exec(svg)?.[1];
  assert.ok(url);
  const thumbnail = sharp(Buffer.from(url, 'base64')).greyscale().raw();
  const { data, info } = await thumbnail.toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 56 * 2);
  assert.deepEqual(new Set(data), new Set([0, 255]));
});

test('no rows is an error', async () => {
  await assert.rejects(neighbourGridPng([]), /at least one row/);
});
