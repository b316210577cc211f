import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ProductImages, type ProductImage, type ProductImagesOptions } from '../../src/catalog/product-images.js';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/errors.js';
import { createFeatureExtractor, type FeatureExtractor } from '../../src/ml/feature-extractor.js';
import { featureExtractorOptions, productImagesOptions } from '../../src/services.js';
import { sixteenBitBomb } from '../support/image-bombs.js';
import { readPhoto } from '../../harness/photos.js';
import { rejectsWith } from '../support/rejects-with.js';

const DECODE_BOMBS = fileURLToPath(new URL('../support/decode-bombs.ts', import.meta.url));
const run = promisify(execFile);
const config = loadConfig({});
let extractor: FeatureExtractor;
let chelsea: Buffer;
let coffee: Buffer;

before(async () => {
  extractor = await createFeatureExtractor(featureExtractorOptions(config, () => {}));
  [chelsea, coffee] = await Promise.all([readPhoto('chelsea.png'), readPhoto('coffee.png')]);
});
after(() => extractor.close());

function productImages(options: Partial<ProductImagesOptions> = {}): ProductImages {
  return new ProductImages(extractor, { ...productImagesOptions(config), ...options });
}

/** Chelsea's pixels in a file of other bytes: a distinct file of the same photo. */
const chelseaAgain = (compressionLevel: number) => sharp(chelsea).png({ compressionLevel }).toBuffer();

/** Images ResNet50 has seen since the extractor started. */
const analysed = () => extractor.stats().images;

test('images become decoded images with 2048 features each, in the order given', async () => {
  const prepared = await productImages().prepare([chelsea, coffee.toString('base64')]);
  assert.deepEqual(
    prepared.map((image) => [image.width, image.height, image.features.length]),
    [[451, 300, 2048], [600, 400, 2048]],
  );
});

test('a request that does not fit beside the images already queued is TOO_BUSY, whole, and fits once they are done', async () => {
  const images = productImages({ queueCapacity: 3, cacheBytes: 0 });
  const first = images.prepare([chelsea, coffee]);
  // Headers are read before admission: the first request is queued once they are.
  while (images.stats().admitted < 2) await new Promise((resolve) => setImmediate(resolve));
  const error = await rejectsWith(images.prepare([chelsea, coffee]), 'TOO_BUSY');
  assert.ok((error.details.retryAfterSeconds as number) >= 1);
  await images.prepare([chelsea]);
  await first;
  assert.equal((await images.prepare([chelsea, coffee, await chelseaAgain(1)])).length, 3);
});

test('an image over maxImagePixels is IMAGE_TOO_LARGE, labelled with its index, and frees the queue', async () => {
  const images = productImages({ maxImagePixels: 451 * 300, queueCapacity: 3, cacheBytes: 0 });
  const error = await rejectsWith(
    images.prepare([chelsea, coffee, chelsea], { label: (failure, index) => new DomainError((failure as DomainError).code, `input ${index}`) }),
    'IMAGE_TOO_LARGE',
  );
  assert.equal(error.message, 'input 1');
  assert.equal((await images.prepare([chelsea, await chelseaAgain(1), await chelseaAgain(9)])).length, 3);
});

test('a file repeated within a request is analysed once, and both get its analysis, even without the cache', async () => {
  const images = productImages({ cacheBytes: 0 });
  const before = analysed();
  const [first, second, other] = await images.prepare([chelsea, coffee, chelsea]);
  assert.equal(analysed() - before, 2);
  assert.equal(second!.width, 600);
  assert.deepEqual([first!.width, first!.sha256, first!.features], [other!.width, other!.sha256, other!.features]);
  await images.prepare([chelsea]);
  assert.equal(analysed() - before, 3, 'without the cache a later request analyses it again');
});

test('a file seen in an earlier request is answered from the cache, and a distinct file of the same photo is not', async () => {
  const images = productImages();
  const [fresh] = await images.prepare([chelsea]);
  const before = analysed();
  const [cached] = await images.prepare([chelsea]);
  assert.equal(analysed(), before);
  assert.deepEqual(cached, fresh);
  await images.prepare([await chelseaAgain(1)]);
  assert.equal(analysed() - before, 1);
});

test('the cache keeps the most recent files its bytes hold, least recently used first out', async () => {
  // An analysis is ~20 KB (features 8 KB, thumbnail, the key): this holds either, not both.
  const size = (image: ProductImage) => image.sha256.length + image.features.byteLength + image.thumbnail.byteLength;
  const sizes = (await productImages().prepare([chelsea, coffee])).map(size);
  const images = productImages({ cacheBytes: Math.max(...sizes) + 100 });
  assert.ok(sizes[0]! + sizes[1]! > Math.max(...sizes) + 100);
  await images.prepare([chelsea]);
  await images.prepare([coffee]);
  const before = analysed();
  await images.prepare([coffee]);
  assert.equal(analysed(), before, 'the latest file is kept');
  await images.prepare([chelsea]);
  assert.equal(analysed() - before, 1, 'the earlier file was let go');
});

test('bytes over maxImageBytes are IMAGE_TOO_LARGE before anything is queued', async () => {
  const images = productImages({ maxImageBytes: coffee.length - 1, queueCapacity: 1 });
  await rejectsWith(images.prepare([coffee.toString('base64')]), 'IMAGE_TOO_LARGE');
  await rejectsWith(images.prepare([coffee]), 'IMAGE_TOO_LARGE');
  await images.prepare([chelsea]);
});

test('decompression bombs within the pixel limit, eight requests at once, keep memory bounded', async () => {
  // 7071x7071 RGBA at 16 bits is just under the default 50 megapixels: 400 MB
  // decoded, 200 MB even at 8 bits, from a file of about 0.6 MB. Decoded in
  // full as before, eight at once took 1.7 GB more; streamed two at a time
  // (the default decode concurrency) they took ~0.4 GB (measured ~135 MB
  // per decode), ResNet50 included.
  const dir = await mkdtemp(join(tmpdir(), 'lookalike-bombs-'));
  try {
    const file = join(dir, 'bomb.png');
    await writeFile(file, await sixteenBitBomb(7071));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', DECODE_BOMBS, file, '8'], { timeout: 300_000 });
    const { before: start, peak, ended } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { before: number; peak: number; ended: string[] };
    assert.deepEqual(ended, Array(8).fill('prepared'));
    const MB = 1024 * 1024;
    assert.ok(peak - start < 800 * MB, `grew by ${Math.round((peak - start) / MB)} MB`);
    assert.ok(peak < 2500 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
