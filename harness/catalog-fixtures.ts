import type { NewProduct } from '../src/domain/product.js';
import type { Store } from '../src/db/store.js';
import { resolveHyperparameters } from '../src/domain/hyperparameters.js';
import { randomVector } from './vectors.js';

export function newProduct(sku: string, features: Float32Array): NewProduct {
  return { sku, name: sku, category: null, thumbnail: new Uint8Array([1]), imageWidth: 1, imageHeight: 1, features };
}

/**
 * Vectors that make ranking hard: plain random ones; exact duplicates;
 * permutations of one offset around a centre (distances equal but for
 * rounding: a few ulps apart, and ordered differently by different summation
 * orders); and one step along an axis on a binary grid (distances equal in
 * float32 too, so only the id tells them apart). The centres are in the set.
 */
export function hardVectors(random: () => number, dimensions: number, count: number): Float32Array[] {
  const vectors: Float32Array[] = [];
  while (vectors.length < count) {
    const kind = vectors.length % 4;
    if (kind === 0) {
      vectors.push(randomVector(random, dimensions));
    } else if (kind === 1) {
      const original = randomVector(random, dimensions);
      vectors.push(original, original.slice(), original.slice());
    } else if (kind === 2) {
      const centre = randomVector(random, dimensions);
      const offset = randomVector(random, dimensions).map((x) => x * 0.05);
      vectors.push(centre);
      for (let i = 0; i < 4; i++) {
        const permuted = [...offset].sort(() => random() - 0.5);
        vectors.push(centre.map((x, j) => x + permuted[j]!));
      }
    } else {
      const centre = Float32Array.from({ length: dimensions }, () => Math.round(random() * 16 - 8) / 8);
      vectors.push(centre);
      for (let i = 0; i < 4; i++) {
        const moved = centre.slice();
        const axis = Math.floor(random() * dimensions);
        moved[axis] = moved[axis]! + (i % 2 ? 0.25 : -0.25);
        vectors.push(moved);
      }
    }
  }
  return vectors.slice(0, count);
}

/**
 * A stored, inactive model version of hard 512-d embeddings, given to the
 * products in shuffled order so that its tie structure differs from the
 * features'.
 */
export async function createShuffledVersion(store: Store, random: () => number, ids: readonly number[]): Promise<number> {
  const embeddings = hardVectors(random, 512, ids.length);
  const shuffled = [...ids].sort(() => random() - 0.5);
  return createVersion(store, new Map(shuffled.map((id, i) => [id, embeddings[i]!])));
}

/** A stored, inactive model version holding these embeddings; the head is a stand-in, never run. */
export async function createVersion(store: Store, embeddings: Map<number, Float32Array>): Promise<number> {
  const run = (await store.trainingRuns.create(resolveHyperparameters()))!;
  await store.trainingRuns.fail(run.id, 'only here to own a version');
  const scaler = (n: number) => ({ mean: new Float32Array(n), scale: new Float32Array(n).fill(1) });
  const versionId = await store.modelVersions.create({
    trainingRunId: run.id,
    classes: ['a', 'b'],
    head: { weights: new Uint8Array(4), layout: [] },
    featureScaler: scaler(2048),
    embeddingScaler: scaler(512),
    embeddingNormalization: 'STANDARDIZE',
  });
  await store.embeddings.insertMany(
    versionId,
    [...embeddings].map(([productId, embedding]) => ({ productId, embedding, predictedCategory: productId % 2 ? 'a' : 'b' })),
  );
  return versionId;
}

export async function activate(store: Store, versionId: number): Promise<void> {
  await store.transaction((repositories) => repositories.modelVersions.activate(versionId));
}
