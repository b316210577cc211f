// The catalogs the search benchmarks run on, each a function giving product
// i's vector, the same every time it is asked for (i from 0):
//
//   embeddings        the real thing: ResNet50 features of Fashion-MNIST's
//                     70,000 images through a head trained on all of them,
//                     standardized, read from --embeddings (written by
//                     bench/fashion-embeddings.ts, train then test order);
//                     70,000 products at most.
//   embedding-blends  distinct products from them: product i < 70,000 is
//                     image i's embedding, every later one a blend of two
//                     images of one category (weight 0.3-0.7) plus uniform
//                     noise of ±0.02 a value, as a store's products that
//                     look alike without being copies.
//   blends            the same recipe on pixels: Fashion-MNIST pooled to
//                     14 x 14 and projected to the space's dimensions by a
//                     fixed sparse random matrix (each dimension the signed
//                     sum of 4 pooled pixels: a cheap Johnson-Lindenstrauss
//                     map, neighbourhoods roughly kept). No ResNet50 needed.
//   variants          ~N/70,000 jittered copies (±0.02) of each pixel
//                     projection: a store's colours of one model, where each
//                     product's nearest are its own copies.
//   random            uniform in [-1, 1]: no structure, the floor of pruning.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { seededRandom } from '../harness/vectors.js';

export const CATALOG_KINDS = ['embeddings', 'embedding-blends', 'blends', 'variants', 'random'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

export type Catalog = (i: number, into: Float32Array) => void;

const IMAGES = 70_000;
const NOISE = 0.02;
const PIXELS = 196;

export interface CatalogSources {
  fashionMnist: string;
  /** The real embeddings' file, float32 little-endian, 70,000 rows. */
  embeddings?: string | undefined;
}

/** Products `kind` can make at most: the real embeddings are 70,000. */
export const largestCatalog = (kind: CatalogKind) => (kind === 'embeddings' ? IMAGES : Infinity);

export async function catalog(kind: CatalogKind, dimensions: number, sources: CatalogSources): Promise<Catalog> {
  if (kind === 'random') {
    return (i, into) => {
      const random = seededRandom(i + 1);
      for (let d = 0; d < dimensions; d++) into[d] = random() * 2 - 1;
    };
  }
  const real = kind === 'embeddings' || kind === 'embedding-blends';
  const base = real ? await embeddings(sources, dimensions) : projectedPixels(await fashionImages(sources.fashionMnist), dimensions);
  if (kind === 'embeddings') return (i, into) => into.set(base.subarray(i * dimensions, (i + 1) * dimensions));
  if (kind === 'variants') {
    return (i, into) => {
      const random = seededRandom(i + 1);
      const at = (i % IMAGES) * dimensions;
      for (let d = 0; d < dimensions; d++) into[d] = base[at + d]! + (random() * 2 - 1) * NOISE;
    };
  }
  const labels = await fashionLabels(sources.fashionMnist);
  const byCategory: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((label, image) => byCategory[label]!.push(image));
  return (i, into) => {
    const random = seededRandom(i + 1);
    if (i < IMAGES) {
      const at = i * dimensions;
      for (let d = 0; d < dimensions; d++) into[d] = base[at + d]! + (real ? 0 : (random() * 2 - 1) * NOISE);
      return;
    }
    const first = Math.floor(random() * IMAGES);
    const category = byCategory[labels[first]!]!;
    const second = category[Math.floor(random() * category.length)]!;
    const weight = 0.3 + 0.4 * random();
    const [a, b] = [first * dimensions, second * dimensions];
    for (let d = 0; d < dimensions; d++) into[d] = weight * base[a + d]! + (1 - weight) * base[b + d]! + (random() * 2 - 1) * NOISE;
  };
}

async function embeddings({ embeddings }: CatalogSources, dimensions: number): Promise<Float32Array> {
  if (!embeddings) throw new Error('the embeddings catalogs need --embeddings (bench/fashion-embeddings.ts writes it)');
  const bytes = await readFile(embeddings);
  if (bytes.length !== IMAGES * dimensions * 4) throw new Error(`${embeddings}: ${bytes.length} bytes, not ${IMAGES} embeddings of ${dimensions} dimensions`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** The images pooled 2 x 2 to 14 x 14 pixels (0..1), train then test. */
async function fashionImages(folder: string): Promise<Float32Array> {
  const files = ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz'];
  const bytes = Buffer.concat(await Promise.all(files.map(async (file) => gunzipSync(await readFile(join(folder, file))).subarray(16))));
  const images = new Float32Array(IMAGES * PIXELS);
  for (let image = 0; image < IMAGES; image++) {
    for (let p = 0; p < 784; p++) {
      const pooled = image * PIXELS + Math.floor(Math.floor(p / 28) / 2) * 14 + Math.floor((p % 28) / 2);
      images[pooled] = images[pooled]! + bytes[image * 784 + p]! / (4 * 255);
    }
  }
  return images;
}

async function fashionLabels(folder: string): Promise<Uint8Array> {
  const files = ['train-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  return new Uint8Array(Buffer.concat(await Promise.all(files.map(async (file) => gunzipSync(await readFile(join(folder, file))).subarray(8)))));
}

/** A sparse random projection of the pooled pixels: each dimension the signed sum of 4 of them, halved. */
function projectedPixels(images: Float32Array, dimensions: number): Float32Array {
  const random = seededRandom(784);
  const taps = Array.from({ length: dimensions * 4 }, () => ({ pixel: Math.floor(random() * PIXELS), sign: random() < 0.5 ? -0.5 : 0.5 }));
  const embedded = new Float32Array(IMAGES * dimensions);
  for (let image = 0; image < IMAGES; image++) {
    for (let d = 0; d < dimensions; d++) {
      let sum = 0;
      for (let t = 4 * d; t < 4 * d + 4; t++) sum += taps[t]!.sign * images[image * PIXELS + taps[t]!.pixel]!;
      embedded[image * dimensions + d] = sum;
    }
  }
  return embedded;
}

/**
 * How much a catalog looks like one: the median over `queries` of the
 * ratio of a product's 6th-nearest distance (`sixthNearest`) to the median
 * distance between two products (pairs drawn at random). Copies sit near
 * 0, random vectors near 1.
 */
export function realism(catalog: Catalog, size: number, dimensions: number, sixthNearest: readonly number[]): number {
  const random = seededRandom(size + 7);
  const [a, b] = [new Float32Array(dimensions), new Float32Array(dimensions)];
  const pairs: number[] = [];
  for (let pair = 0; pair < 2000; pair++) {
    catalog(Math.floor(random() * size), a);
    catalog(Math.floor(random() * size), b);
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += (a[d]! - b[d]!) ** 2;
    pairs.push(Math.sqrt(sum));
  }
  return median(sixthNearest) / median(pairs);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1]!;
}
