import type { CatalogService } from '../src/catalog/catalog.service.js';
import type { FeatureExtractor } from '../src/ml/feature-extractor.js';
import { prepareImage } from '../src/ml/image.js';
import { readPhoto } from '../harness/photos.js';

const LIMITS = { maxBytes: 10 * 1024 * 1024 };
/** addProducts calls as the CLI import makes them: batches of this many... */
const CALL_SIZE = 16;
/** ...with this many calls in flight (importProducts' default concurrency). */
const CALLS_IN_FLIGHT = 2;

/** The test photos' files, the images the measurements cycle through. */
export function readPhotoFiles(): Promise<Uint8Array[]> {
  return Promise.all((['chelsea.png', 'coffee.png'] as const).map(async (name) => new Uint8Array(await readPhoto(name))));
}

/**
 * Decode + ResNet50: `count` single-image calls at once, as concurrent
 * addProduct requests would make them, which the batcher groups.
 */
export async function measureExtraction(extractor: FeatureExtractor, files: readonly Uint8Array[], count: number): Promise<number> {
  const began = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => extractor.extract([(await prepareImage(files[i % files.length]!, LIMITS)).pixels])),
  );
  return count / ((performance.now() - began) / 1000);
}

/**
 * ResNet50 alone: `count` single-image calls of already decoded pixels at
 * once, so the engine's own rate and scaling show without the decoding,
 * which runs on the same cores.
 */
export async function measureModel(extractor: FeatureExtractor, pixels: readonly Uint8Array[], count: number): Promise<number> {
  const began = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => extractor.extract([pixels[i % pixels.length]!])));
  return count / ((performance.now() - began) / 1000);
}

/** Decoding alone (prepareImage: decode, resize to 224x224, WebP thumbnail), as many at once as libuv runs. */
export async function measureDecoding(files: readonly Uint8Array[], count: number): Promise<number> {
  const began = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => prepareImage(files[i % files.length]!, LIMITS)));
  return count / ((performance.now() - began) / 1000);
}

/** Decode + ResNet50 + store: `count` new products through CatalogService.addProducts. */
export async function measureAddProducts(catalog: CatalogService, files: readonly Uint8Array[], count: number, skuPrefix: string): Promise<number> {
  const products = Array.from({ length: count }, (_, i) => ({
    sku: `${skuPrefix}-${i}`,
    name: `product ${i}`,
    category: i % 2 === 0 ? 'cats' : 'cups',
    image: files[i % files.length]!,
  }));
  let next = 0;
  const began = performance.now();
  const caller = async () => {
    while (next < products.length) {
      const call = products.slice(next, next + CALL_SIZE);
      next += CALL_SIZE;
      await catalog.addProducts(call);
    }
  };
  await Promise.all(Array.from({ length: CALLS_IN_FLIGHT }, caller));
  return count / ((performance.now() - began) / 1000);
}

/** Milliseconds for one image sent alone (already decoded), median of `calls`: the model time plus the batching window. */
export async function measureLoneLatency(extractor: FeatureExtractor, pixels: Uint8Array, calls = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const began = performance.now();
    await extractor.extract([pixels]);
    times.push(performance.now() - began);
  }
  return times.sort((a, b) => a - b)[Math.floor(calls / 2)]!;
}
