import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ProductImages, type ProductImagesOptions } from '../../src/catalog/product-images.js';
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

test('images become decoded images with 2048 features each, in the order given', async () => {
  const prepared = await productImages().prepare([chelsea, coffee.toString('base64')]);
  assert.deepEqual(
    prepared.map((image) => [image.width, image.height, image.features.length]),
    [[451, 300, 2048], [600, 400, 2048]],
  );
});

test('a request that does not fit beside the images already queued is TOO_BUSY, whole, and fits once they are done', async () => {
  const images = productImages({ queueCapacity: 3 });
  const first = images.prepare([chelsea, coffee]);
  // Headers are read before admission: the first request is queued once they are.
  while (images.stats().admitted < 2) await new Promise((resolve) => setImmediate(resolve));
  const error = await rejectsWith(images.prepare([chelsea, coffee]), 'TOO_BUSY');
  assert.ok((error.details.retryAfterSeconds as number) >= 1);
  await images.prepare([chelsea]);
  await first;
  assert.equal((await images.prepare([chelsea, coffee, chelsea])).length, 3);
});

test('an image over maxImagePixels is IMAGE_TOO_LARGE, labelled with its index, and frees the queue', async () => {
  const images = productImages({ maxImagePixels: 451 * 300, queueCapacity: 3 });
  const error = await rejectsWith(
    images.prepare([chelsea, coffee, chelsea], { label: (failure, index) => new DomainError((failure as DomainError).code, `input ${index}`) }),
    'IMAGE_TOO_LARGE',
  );
  assert.equal(error.message, 'input 1');
  assert.equal((await images.prepare([chelsea, chelsea, chelsea])).length, 3);
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
