import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS, INPUT_LENGTH, INPUT_SIZE, prepareImage, readImageHeader } from '../../src/ml/image.js';
import { animation, BOMB_COLOUR, pngClaiming, sixteenBitBomb, twelveBitAvif } from '../support/image-bombs.js';
import { readPhoto } from './fixtures.js';
import { rejectsWith } from '../support/rejects-with.js';

const limits = { maxBytes: 10 * 1024 * 1024 };

/** RGB of the pixel at (x, y) of prepared 224x224 pixels. */
function pixelAt(pixels: Uint8Array, x: number, y: number): number[] {
  const i = (y * INPUT_SIZE + x) * 3;
  return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
}

test('a photo becomes 224x224 RGB pixels plus a WebP thumbnail of longest side 256', async () => {
  const prepared = await prepareImage(await readPhoto('chelsea.png'), limits);
  assert.equal(prepared.pixels.length, INPUT_LENGTH);
  assert.deepEqual([prepared.width, prepared.height], [451, 300]);
  const thumbnail = await sharp(prepared.thumbnail).metadata();
  assert.deepEqual([thumbnail.format, thumbnail.width, thumbnail.height], ['webp', 256, 170]);
});

test('grayscale is replicated to three equal channels', async () => {
  const gradient = Uint8Array.from({ length: 64 * 64 }, (_, i) => i % 256);
  const png = await sharp(gradient, { raw: { width: 64, height: 64, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  assert.equal((await sharp(png).metadata()).channels, 1);
  const { pixels } = await prepareImage(png, limits);
  assert.equal(pixels.length, INPUT_LENGTH);
  const distinct = new Set<number>();
  for (let i = 0; i < pixels.length; i += 3) {
    assert.ok(pixels[i] === pixels[i + 1] && pixels[i] === pixels[i + 2], `pixel ${i / 3} is not gray`);
    distinct.add(pixels[i]!);
  }
  assert.ok(distinct.size > 100, 'the gradient survives');
});

test('transparency is flattened onto white', async () => {
  const clear = await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
  const { pixels } = await prepareImage(clear, limits);
  assert.ok(pixels.every((value) => value === 255));
});

test('the image is stretched to 224x224, not cropped', async () => {
  // A wide image: red left half, blue right half; both halves must survive.
  const raw = Uint8Array.from({ length: 200 * 50 * 3 }, (_, i) => {
    const x = Math.floor(i / 3) % 200;
    const channel = i % 3;
    return (x < 100 ? channel === 0 : channel === 2) ? 255 : 0;
  });
  const png = await sharp(raw, { raw: { width: 200, height: 50, channels: 3 } }).png().toBuffer();
  const { pixels } = await prepareImage(png, limits);
  assert.deepEqual(pixelAt(pixels, 50, 112), [255, 0, 0]);
  assert.deepEqual(pixelAt(pixels, 170, 112), [0, 0, 255]);
  assert.deepEqual(pixelAt(pixels, 0, 0), [255, 0, 0]);
  assert.deepEqual(pixelAt(pixels, 223, 223), [0, 0, 255]);
});

test('EXIF orientation is applied', async () => {
  // Stored 40x20 with red on the left, tagged "rotate 90° clockwise to display":
  // displayed it is 20x40 with red on top.
  const raw = Uint8Array.from({ length: 40 * 20 * 3 }, (_, i) => {
    const x = Math.floor(i / 3) % 40;
    return (x < 20 ? i % 3 === 0 : i % 3 === 2) ? 255 : 0;
  });
  const jpeg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
    .jpeg({ quality: 100 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const prepared = await prepareImage(jpeg, limits);
  assert.deepEqual([prepared.width, prepared.height], [20, 40]);
  const [topRed, , topBlue] = pixelAt(prepared.pixels, 112, 40);
  const [bottomRed, , bottomBlue] = pixelAt(prepared.pixels, 112, 180);
  assert.ok(topRed! > 200 && topBlue! < 50, 'red on top');
  assert.ok(bottomBlue! > 200 && bottomRed! < 50, 'blue at the bottom');
  const thumbnail = await sharp(prepared.thumbnail).metadata();
  assert.deepEqual([thumbnail.width, thumbnail.height], [20, 40], 'small images are not enlarged');
});

test('16-bit images are scaled to 8 bits, not clipped', async () => {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
  assert.equal((await sharp(png).metadata()).depth, 'ushort');
  const { pixels } = await prepareImage(png, limits);
  assert.deepEqual(pixelAt(pixels, 100, 100), [200, 100, 50]);
});

test('bytes that are not an image are INVALID_IMAGE', async () => {
  const error = await rejectsWith(prepareImage(new TextEncoder().encode('definitely not a picture'), limits), 'INVALID_IMAGE');
  assert.match(error.message, /not a supported, undamaged image/);
  await rejectsWith(prepareImage(new Uint8Array(0), limits), 'INVALID_IMAGE');
});

test('a truncated image is INVALID_IMAGE', async () => {
  const png = await readPhoto('coffee.png');
  await rejectsWith(prepareImage(png.subarray(0, png.length / 2), limits), 'INVALID_IMAGE');
});

test('vector formats are refused', async () => {
  const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>');
  await rejectsWith(prepareImage(svg, limits), 'INVALID_IMAGE');
});

test('more bytes than maxBytes is IMAGE_TOO_LARGE, before decoding', async () => {
  const png = await readPhoto('chelsea.png');
  const error = await rejectsWith(prepareImage(png, { maxBytes: png.length - 1 }), 'IMAGE_TOO_LARGE');
  assert.deepEqual(error.details, { bytes: png.length, maxBytes: png.length - 1 });
  await prepareImage(png, { maxBytes: png.length });
});

test('more pixels than maxPixels is IMAGE_TOO_LARGE, however small the file (decompression bombs)', async () => {
  const bomb = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000' } }).png().toBuffer();
  assert.ok(bomb.length < 100_000);
  const error = await rejectsWith(prepareImage(bomb, { ...limits, maxPixels: 4000 * 4000 - 1 }), 'IMAGE_TOO_LARGE');
  assert.deepEqual(error.details, { width: 4000, height: 4000, pages: 1, maxPixels: 4000 * 4000 - 1 });
});

test('a header claiming more than 16383x16383 pixels is IMAGE_TOO_LARGE, not INVALID_IMAGE', async () => {
  const error = await rejectsWith(prepareImage(await pngClaiming(16384, 16384), limits), 'IMAGE_TOO_LARGE');
  assert.deepEqual(error.details, { width: 16384, height: 16384, pages: 1, maxPixels: DEFAULT_MAX_PIXELS });
});

for (const format of ['gif', 'webp'] as const) {
  test(`an animated ${format} is IMAGE_TOO_LARGE when its frames together pass maxPixels`, async () => {
    const animated = await animation(format, 5, 200, 100);
    const error = await rejectsWith(prepareImage(animated, { ...limits, maxPixels: 5 * 200 * 100 - 1 }), 'IMAGE_TOO_LARGE');
    assert.deepEqual(error.details, { width: 200, height: 100, pages: 5, maxPixels: 5 * 200 * 100 - 1 });
    const prepared = await prepareImage(animated, { ...limits, maxPixels: 5 * 200 * 100 });
    assert.deepEqual([prepared.width, prepared.height], [200, 100], 'the first frame is the image');
  });
}

test('a panorama past 2048x2048 pixels keeps its rows and its aspect ratio', async () => {
  // 16384x512, red top half, blue bottom half: decoded through a bounded intermediate.
  const raw = Buffer.alloc(16384 * 512 * 3);
  for (let i = 0; i < raw.length; i += 3) raw[i < raw.length / 2 ? i : i + 2] = 255;
  const png = await sharp(raw, { raw: { width: 16384, height: 512, channels: 3 } }).png().toBuffer();
  const prepared = await prepareImage(png, limits);
  assert.deepEqual([prepared.width, prepared.height], [16384, 512]);
  assert.deepEqual(pixelAt(prepared.pixels, 112, 50), [255, 0, 0]);
  assert.deepEqual(pixelAt(prepared.pixels, 112, 170), [0, 0, 255]);
  const thumbnail = await sharp(prepared.thumbnail).metadata();
  assert.deepEqual([thumbnail.format, thumbnail.width, thumbnail.height], ['webp', 256, 8]);
});

test('an 8192x8192 16-bit RGBA PNG (a decompression bomb) is IMAGE_TOO_LARGE under a smaller maxPixels, and decodes within it', async () => {
  const bomb = await sixteenBitBomb();
  assert.ok(bomb.length < 1024 * 1024);
  assert.equal((await sharp(bomb, { limitInputPixels: false }).metadata()).depth, 'ushort');
  await rejectsWith(prepareImage(bomb, { ...limits, maxPixels: 8192 * 8192 - 1 }), 'IMAGE_TOO_LARGE');

  const prepared = await prepareImage(bomb, { ...limits, maxPixels: 8192 * 8192 });
  // Half-transparent colour over white.
  const expected = [BOMB_COLOUR.r, BOMB_COLOUR.g, BOMB_COLOUR.b].map((c) => (c + 255) / 2);
  for (const [x, y] of [[0, 0], [112, 112], [223, 223]] as const) {
    pixelAt(prepared.pixels, x, y).forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) <= 2, `${value} at ${x},${y}`));
  }
  const thumbnail = await sharp(prepared.thumbnail).metadata();
  assert.deepEqual([thumbnail.width, thumbnail.height], [256, 256]);
});

test('a HEIF/AVIF over maxFullDecodePixels is IMAGE_TOO_LARGE from its header, where a PNG of that size is read', async () => {
  const options = { ...limits, maxFullDecodePixels: 200 * 200 };
  const error = await rejectsWith(readImageHeader(await twelveBitAvif(300), options), 'IMAGE_TOO_LARGE');
  assert.equal(error.details.maxPixels, 200 * 200);
  const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#888' } }).png().toBuffer();
  assert.equal((await readImageHeader(png, options)).width, 300);
});

test('the header prices a decode: a 12-bit AVIF at 8 bytes a sample, a small 16-bit PNG at 2', async () => {
  assert.equal((await readImageHeader(await twelveBitAvif(300, 200), limits)).decodeBytes, 300 * 200 * 3 * 8);
  assert.equal((await readImageHeader(await sixteenBitBomb(100), limits)).decodeBytes, 100 * 100 * 4 * 2);
});

test('libvips stops a decode past timeoutSeconds, and it is IMAGE_DECODE_TIMEOUT', async () => {
  // 5000x5000 at 12 bits takes 2.6 s; libheif's own 1 s of it cannot be cut short.
  const avif = await twelveBitAvif(5000);
  await rejectsWith(prepareImage(avif, { ...limits, maxFullDecodePixels: 5000 * 5000, timeoutSeconds: 1 }), 'IMAGE_DECODE_TIMEOUT');
});
