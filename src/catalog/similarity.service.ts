import type { Store } from '../db/store.js';
import { DomainError, productNotFound } from '../errors.js';
import type { ExactSearch } from '../search/exact-search.js';
import { NO_FILTER, type NeighbourFilter } from '../domain/neighbour-filter.js';
import type { Neighbour } from '../domain/product.js';
import type { ActiveModel } from '../training/active-model.js';
import type { ImageSource, ProductImages } from './product-images.js';
import { nearDuplicatePage, type NearDuplicatePage, type PairPosition, type ScanLimits } from './near-duplicates.js';
import type { EmbeddingSpace } from '../domain/embedding-space.js';

export const MAX_K = 100;
/** Positive, and negative, examples one recommend may give. */
export const MAX_EXAMPLES = 32;

export interface Similarity {
  /** The space whose exact L2 distances ranked the neighbours. */
  space: EmbeddingSpace;
  neighbours: Neighbour[];
  /** The active head's category for the image asked about; null for a catalog product or without a head. */
  predictedCategory: string | null;
}

export class SimilarityService {
  constructor(
    private readonly store: Store,
    private readonly images: ProductImages,
    private readonly models: ActiveModel,
    private readonly search: ExactSearch,
    private readonly scanLimits: ScanLimits,
  ) {}

  /** Loads the search index of the active space ahead of the first query. */
  async warm(): Promise<void> {
    await this.search.warm();
  }

  /** Writes the search index's snapshot on disk, if it keeps one and the index has moved since. */
  async saveSearchIndex(): Promise<void> {
    await this.search.saveSnapshot();
  }

  /** Products in the in-memory search index. */
  indexedProducts(): number {
    return this.search.indexedProducts;
  }

  /** The space queries are answered in now, and the model version behind it. */
  async activeSpace(): Promise<EmbeddingSpace> {
    const model = await this.models.current(this.store);
    return model ? model.version.id : null;
  }

  /** The k catalog products nearest to a product of the catalog, the product itself excluded. */
  async similarProducts(id: number, k: number, filter: NeighbourFilter = NO_FILTER): Promise<Similarity> {
    assertK(k);
    const found = await this.search.similarTo(id, k, filter);
    if (!found) throw productNotFound(id);
    return similarity(found.space, found.neighbours);
  }

  /**
   * The k products nearest to recommendationQuery(positives, negatives) in
   * the active space, the examples themselves left out.
   */
  async recommend(positive: readonly number[], negative: readonly number[], k: number, filter: NeighbourFilter = NO_FILTER): Promise<Similarity> {
    assertK(k);
    assertExamples(positive, negative);
    const { activeSpace: space } = await this.store.search.state();
    const examples = [...new Set([...positive, ...negative])];
    const vectors = new Map((await this.store.search.vectorsOf(space, examples)).map((v) => [v.productId, v.vector]));
    const missing = examples.filter((id) => !vectors.has(id));
    if (missing.length > 0) throw new DomainError('NOT_FOUND', `no product with id ${missing.join(', ')}`, { ids: missing.map(String) });
    const query = recommendationQuery(
      positive.map((id) => vectors.get(id)!),
      negative.map((id) => vectors.get(id)!),
    );
    const excluding = { ...filter, excludedIds: [...new Set([...filter.excludedIds, ...examples])] };
    return similarity(space, await this.search.nearest(space, query, k, excluding));
  }

  /** One page of the catalog's pairs within maxDistance of each other (near-duplicates.ts). */
  nearDuplicates(options: { maxDistance: number; first: number; after?: PairPosition | undefined }): Promise<NearDuplicatePage> {
    return nearDuplicatePage(this.store, this.search, { ...options, limits: this.scanLimits });
  }

  /**
   * The k catalog products nearest to an image that is not in the catalog:
   * the method's inference step. Dropped once `signal` fires (REQUEST_ABORTED).
   */
  async similarToImage(image: ImageSource, k: number, filter: NeighbourFilter = NO_FILTER, signal?: AbortSignal): Promise<Similarity> {
    assertK(k);
    const [prepared] = await this.images.prepare([image], { signal });
    const { features } = prepared!;
    const model = await this.models.current(this.store);
    if (model) {
      const [query] = await model.embed([features]);
      const neighbours = await this.search.nearest(model.version.id, query!.embedding, k, filter);
      return similarity(model.version.id, neighbours, query!.predictedCategory);
    }
    return similarity(null, await this.search.nearest(null, features, k, filter));
  }
}

/** The query vector of recommend, as the schema documents it. */
export function recommendationQuery(positives: readonly Float32Array[], negatives: readonly Float32Array[]): Float32Array {
  const mean = (vectors: readonly Float32Array[]) => {
    const sum = new Float64Array(vectors[0]!.length);
    for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + vector[i]!;
    return sum.map((x) => x / vectors.length);
  };
  const positive = mean(positives);
  if (negatives.length === 0) return Float32Array.from(positive);
  const negative = mean(negatives);
  return Float32Array.from(positive, (x, i) => x + (x - negative[i]!));
}

function similarity(space: EmbeddingSpace, neighbours: Neighbour[], predictedCategory: string | null = null): Similarity {
  return { space, neighbours, predictedCategory };
}

function assertExamples(positive: readonly number[], negative: readonly number[]): void {
  if (positive.length === 0) throw new DomainError('BAD_USER_INPUT', 'give at least one positive example', { field: 'positive' });
  for (const [field, ids] of [['positive', positive], ['negative', negative]] as const) {
    if (ids.length > MAX_EXAMPLES) throw new DomainError('BAD_USER_INPUT', `give at most ${MAX_EXAMPLES} ${field} examples`, { field });
  }
}

function assertK(k: number): void {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new DomainError('BAD_USER_INPUT', `k must be an integer from 1 to ${MAX_K}`, { k });
  }
}
